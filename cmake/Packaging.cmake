# CPack: two Debian packages from the install components of cmake/Install.cmake.
#   ccm-gateway      (runtime)  dependencies computed by dpkg-shlibdeps
#   ccm-gateway-dev  (devel)    depends on the exact ccm-gateway version: a
#                               plugin must match the gateway's SDK ABI; and
#                               on libyaml-cpp-dev, which the SDK links
# Build them with `make package`, or `cpack -G DEB` in a configured build dir.
# A Debian package installs under /usr, so the build that produces a release
# package is configured with -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_LIBDIR=lib
# (what `make package` does): the executable's compiled-in defaults (config
# file, plugin directory) then match where the package puts them.
set(CCM_PACKAGE_MAINTAINER "ccm-gateway maintainers <ccm-gateway@localhost>" CACHE STRING
    "Maintainer field of the Debian packages")
set(CCM_PACKAGE_RELEASE "1" CACHE STRING "Debian revision of the packages (the part after the version's '-')")

if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr" OR NOT CMAKE_INSTALL_LIBDIR STREQUAL "lib")
  message(STATUS "ccm-gateway: packages from this build dir carry the compiled-in defaults "
                 "${CMAKE_INSTALL_FULL_SYSCONFDIR}/ccm-gateway/gateway.json and "
                 "${CMAKE_INSTALL_FULL_LIBDIR}/ccm-gateway/plugins; `make package` builds release packages")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ccm-gateway)
set(CPACK_PACKAGE_VENDOR "ccm-gateway")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${CCM_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL runtime devel)
set(CPACK_DEB_COMPONENT_INSTALL ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${CCM_PACKAGE_RELEASE})
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(packaging ${PROJECT_SOURCE_DIR}/packaging/debian)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ccm-gateway)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION net)
# Only what the maintainer scripts need; shared-library dependencies are
# appended by dpkg-shlibdeps.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
    ${packaging}/conffiles ${packaging}/postinst ${packaging}/prerm ${packaging}/postrm)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Stripped binaries; their debug info goes to ccm-gateway-dbgsym_*.ddeb (for
# reading core dumps), when the build has any (RelWithDebInfo, Debug).
set(CPACK_DEBIAN_RUNTIME_DEBUGINFO_PACKAGE ON)
# First line: the summary; then the long description (CPack indents it).
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "lab session lifecycle and CloudEvents gateway
ccm-gateway owns the lifecycle of lab sessions (lablets) and the workers they
run on. Every state change becomes a CloudEvent, committed with the change
and delivered to the sinks the configuration selects; external systems send
CloudEvents back that move sessions on. Integrations are plugins.

This package runs the gateway as the systemd service ccm-gateway, configured
by /etc/ccm-gateway/gateway.json, with its state in /var/lib/ccm-gateway.")

set(CPACK_COMPONENT_DEVEL_DEPENDS runtime)
set(CPACK_DEBIAN_DEVEL_PACKAGE_NAME ccm-gateway-dev)
set(CPACK_DEBIAN_DEVEL_PACKAGE_SECTION libdevel)
# libccm_sdk.a links yaml-cpp; CcmGatewaySdkConfig.cmake finds its CMake package.
set(CPACK_DEBIAN_DEVEL_PACKAGE_DEPENDS "libyaml-cpp-dev")
set(CPACK_DEBIAN_DEVEL_PACKAGE_RECOMMENDS "cmake (>= 3.25), g++")
set(CPACK_DEBIAN_DEVEL_DESCRIPTION "ccm-gateway plugin SDK
Headers (<ccm/sdk/...>), the static SDK library, a FakeHost for unit tests
and the CMake package CcmGatewaySdk to build ccm-gateway plugins out of tree:
find_package(CcmGatewaySdk) and ccm_gateway_add_plugin(). An example sink
and the plugin author guide are in /usr/share/doc/ccm-gateway-dev.")

include(CPack)
