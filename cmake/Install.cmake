# Install rules, in two components that become the two Debian packages
# (cmake/Packaging.cmake):
#   runtime -> ccm-gateway      the executable, every shipped plugin, the
#                               packaged config, the systemd unit, the JSON
#                               Schemas, the man page and the operator docs;
#   devel   -> ccm-gateway-dev  the SDK headers, libccm_sdk.a and the CMake
#                               package CcmGatewaySdk for out-of-tree plugins.
# Included last from the top-level CMakeLists.txt, so every plugin target exists.
include(CMakePackageConfigHelpers)

set(CCM_SCHEMA_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/ccm-gateway/schemas)
set(CCM_DOC_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/doc/ccm-gateway)
set(CCM_DEV_DOC_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/doc/ccm-gateway-dev)
set(CCM_SDK_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/CcmGatewaySdk)
set(CCM_SYSTEMD_UNIT_DIR "" CACHE PATH
    "Where the systemd unit is installed; empty: /lib/systemd/system for prefix /usr, <prefix>/lib/systemd/system otherwise")

# The plugins we ship; test fixtures (ccm-fixture-*) are built the same way but stay out.
get_property(ccm_shipped_plugins GLOBAL PROPERTY CCM_PLUGIN_TARGETS)
list(FILTER ccm_shipped_plugins INCLUDE REGEX "^ccm-(sink|source|pod|assessment)-")

# Everything the packages contain that is built. cpack (and `make install`)
# would otherwise build all targets, tests included, first; instead
# tests/packaging builds this target and `make package` builds everything.
add_custom_target(ccm_package_inputs)
add_dependencies(ccm_package_inputs ccm-gateway ccm_sdk ${ccm_shipped_plugins})
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# ccm-gateway: executable, plugins, schemas, docs.

install(TARGETS ccm-gateway RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
foreach(plugin IN LISTS ccm_shipped_plugins)
  install(TARGETS ${plugin} LIBRARY DESTINATION ${CCM_PLUGIN_INSTALL_DIR} COMPONENT runtime)
  get_target_property(schema ${plugin} CCM_PLUGIN_SCHEMA)
  if(schema)
    string(REGEX REPLACE "^ccm-" "" name ${plugin})
    install(FILES ${schema} DESTINATION ${CCM_SCHEMA_INSTALL_DIR}/plugins RENAME ${name}.schema.json
            COMPONENT runtime)
  endif()
endforeach()

install(FILES ${PROJECT_SOURCE_DIR}/config/schema/gateway.schema.json
        DESTINATION ${CCM_SCHEMA_INSTALL_DIR} COMPONENT runtime)
# events/ (emitted), consumed/ (accepted from sources), pod.schema.json, ...
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/schemas/
        DESTINATION ${CCM_SCHEMA_INSTALL_DIR} COMPONENT runtime
        FILES_MATCHING PATTERN "*.json")

# The console's static files, where the executable looks for them by default
# (server.console.directory, docs/console.md).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/console/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/ccm-gateway/console COMPONENT runtime
        FILES_MATCHING PATTERN "*.html" PATTERN "*.css" PATTERN "*.js" PATTERN "*.svg")

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/CHANGELOG.md
        DESTINATION ${CCM_DOC_INSTALL_DIR} COMPONENT runtime)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/
        DESTINATION ${CCM_DOC_INSTALL_DIR} COMPONENT runtime
        FILES_MATCHING PATTERN "*.md" PATTERN "*.png" PATTERN "plugin-*.md" EXCLUDE)
# The REST API's OpenAPI document, as GET /api/v1/openapi.json serves it.
install(FILES ${PROJECT_BINARY_DIR}/core/generated/openapi.json
        DESTINATION ${CCM_DOC_INSTALL_DIR} COMPONENT runtime)

# Config, /etc/default file, systemd unit and man page: their paths depend on
# the prefix installed to, which is only known at install time.
install(CODE "
  set(CCM_STAGE_DIR \"${PROJECT_BINARY_DIR}/packaging/install\")
  set(CCM_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
  set(CCM_VERSION \"${PROJECT_VERSION}\")
  set(CCM_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(CCM_PLUGIN_INSTALL_DIR \"${CCM_PLUGIN_INSTALL_DIR}\")
  set(CCM_DOC_INSTALL_DIR \"${CCM_DOC_INSTALL_DIR}\")
  set(CCM_SCHEMA_INSTALL_DIR \"${CCM_SCHEMA_INSTALL_DIR}\")
  set(CCM_MAN_INSTALL_DIR \"${CMAKE_INSTALL_MANDIR}\")
  set(CCM_SYSTEMD_UNIT_DIR \"${CCM_SYSTEMD_UNIT_DIR}\")
  include(\"${PROJECT_SOURCE_DIR}/cmake/InstallSystemFiles.cmake\")
" COMPONENT runtime)

# ccm-gateway-dev: the SDK.

install(DIRECTORY ${PROJECT_SOURCE_DIR}/plugins/sdk/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT devel
        FILES_MATCHING PATTERN "*.hpp")

# RapidJSON is a private, header-only dependency of the static SDK: CMake
# still lists it as $<LINK_ONLY:ccm_rapidjson> in the interface, which an
# installed export cannot name. Keep it to the build tree. yaml-cpp (the
# smart-annotation parser) stays: a consumer links it, and
# CcmGatewaySdkConfig.cmake finds it.
get_target_property(sdk_interface_libs ccm_sdk INTERFACE_LINK_LIBRARIES)
if(sdk_interface_libs)
  list(TRANSFORM sdk_interface_libs REPLACE "^\\$<LINK_ONLY:ccm_rapidjson>$"
       "$<BUILD_INTERFACE:$<LINK_ONLY:ccm_rapidjson>>")
  set_property(TARGET ccm_sdk PROPERTY INTERFACE_LINK_LIBRARIES "${sdk_interface_libs}")
endif()

set_target_properties(ccm_sdk PROPERTIES EXPORT_NAME sdk)
install(TARGETS ccm_sdk EXPORT CcmGatewaySdkTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT devel)
install(EXPORT CcmGatewaySdkTargets NAMESPACE CcmGateway::
        DESTINATION ${CCM_SDK_CMAKE_INSTALL_DIR} COMPONENT devel)

# The ABI version plugins are checked against, for the package's users.
file(STRINGS ${PROJECT_SOURCE_DIR}/plugins/sdk/include/ccm/sdk/plugin.hpp abi_line
     REGEX "kAbiVersion *= *[0-9]+")
if(abi_line MATCHES "kAbiVersion *= *([0-9]+)")
  set(CCM_SDK_ABI_VERSION ${CMAKE_MATCH_1})
else()
  message(WARNING "cannot read kAbiVersion from plugins/sdk/include/ccm/sdk/plugin.hpp; "
                  "CcmGatewaySdk_ABI_VERSION will be empty")
  set(CCM_SDK_ABI_VERSION "")
endif()

set(sdk_config_dir ${PROJECT_BINARY_DIR}/packaging/CcmGatewaySdk)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/CcmGatewaySdkConfig.cmake.in
  ${sdk_config_dir}/CcmGatewaySdkConfig.cmake
  INSTALL_DESTINATION ${CCM_SDK_CMAKE_INSTALL_DIR}
  PATH_VARS CCM_PLUGIN_INSTALL_DIR)
write_basic_package_version_file(${sdk_config_dir}/CcmGatewaySdkConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${sdk_config_dir}/CcmGatewaySdkConfig.cmake
              ${sdk_config_dir}/CcmGatewaySdkConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/CcmGatewayPlugin.cmake
        DESTINATION ${CCM_SDK_CMAKE_INSTALL_DIR} COMPONENT devel)

install(FILES ${PROJECT_SOURCE_DIR}/docs/plugin-sdk.md ${PROJECT_SOURCE_DIR}/docs/plugin-author-guide.md
        DESTINATION ${CCM_DEV_DOC_INSTALL_DIR} COMPONENT devel)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/plugins/examples/
        DESTINATION ${CCM_DEV_DOC_INSTALL_DIR}/examples COMPONENT devel
        PATTERN "build" EXCLUDE PATTERN "build-*" EXCLUDE)

include(${PROJECT_SOURCE_DIR}/cmake/Packaging.cmake)
