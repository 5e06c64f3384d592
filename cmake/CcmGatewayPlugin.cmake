# Installed with the SDK (ccm-gateway-dev); included by CcmGatewaySdkConfig.cmake.
#
# ccm_gateway_add_plugin(NAME <name> SOURCES <files...> [SCHEMA <schema.json>]
#                        [LIBRARIES <libs...>] [OUTPUT_DIR <dir>])
#
# Builds the loadable plugin "libccm-<name>.so" (target ccm-<name>) the way the
# gateway's own plugins are built:
#  - a MODULE library linked with CcmGateway::sdk, C++20;
#  - hidden visibility, so only the two symbols CCM_DEFINE_PLUGIN exports are
#    visible, and -Wl,--exclude-libs,ALL so no symbol of a static library
#    (the SDK, RapidJSON, ...) leaks into the export table;
#  - -Wl,--no-undefined, so a missing symbol fails the link, not the load
#    (unless CCM_PLUGIN_LINK_ALLOWS_UNDEFINED is set: clang links its
#    sanitizer runtimes into the executable only);
#  - SCHEMA (your config's JSON Schema) embedded as `kConfigSchema` in the
#    generated header "<name>_schema.hpp" ('-' in <name> becomes '_'), for
#    PluginDescriptor::config_schema.
# OUTPUT_DIR defaults to the current binary directory; point the gateway's
# --plugin-dir (or plugins.directories) at it.
function(ccm_gateway_add_plugin)
  cmake_parse_arguments(ARG "" "NAME;SCHEMA;OUTPUT_DIR" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "ccm_gateway_add_plugin: NAME and SOURCES are required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ccm_gateway_add_plugin: unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  set(target ccm-${ARG_NAME})
  add_library(${target} MODULE ${ARG_SOURCES})
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR})
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_link_libraries(${target} PRIVATE CcmGateway::sdk ${ARG_LIBRARIES})
  target_link_options(${target} PRIVATE -Wl,--exclude-libs,ALL)
  if(NOT CCM_PLUGIN_LINK_ALLOWS_UNDEFINED)
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  if(ARG_SCHEMA)
    ccm_gateway_embed_schema(${target} ${ARG_NAME} ${ARG_SCHEMA})
  endif()
endfunction()

# ccm_gateway_embed_schema(<target> <name> <schema.json>)
# Generates "<name>_schema.hpp" holding the file's text as kConfigSchema and
# adds its directory to <target>'s include path. Editing the schema re-runs
# CMake, so the header never goes stale.
function(ccm_gateway_embed_schema target name schema)
  get_filename_component(schema_path ${schema} ABSOLUTE)
  string(REPLACE "-" "_" ident ${name})
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/ccm_generated/${target})
  set(header ${dir}/${ident}_schema.hpp)
  file(READ ${schema_path} text)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${schema_path})
  # Written verbatim (no ${} or @@ substitution) and only when it changes.
  set(content "#pragma once\n// Generated from ${schema_path}; edit that file.\n")
  string(APPEND content "inline constexpr const char kConfigSchema[] = R\"ccmschema(${text})ccmschema\";\n")
  set(old "")
  if(EXISTS ${header})
    file(READ ${header} old)
  endif()
  if(NOT old STREQUAL content)
    file(WRITE ${header} "${content}")
  endif()
  target_include_directories(${target} PRIVATE ${dir})
endfunction()
