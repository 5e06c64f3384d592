# ccm_add_plugin(NAME <name> SOURCES <files...> SCHEMA <schema.json> [LIBRARIES ...])
# Builds the loadable plugin library "libccm-<name>.so" into the build's plugins/
# folder with hidden visibility, so only the two descriptor symbols are exported.
# SCHEMA is embedded as `kConfigSchema` in the generated header "<name>_schema.hpp".
function(ccm_add_plugin)
  cmake_parse_arguments(ARG "" "NAME;SCHEMA;OUTPUT_DIR" "SOURCES;LIBRARIES" ${ARGN})
  set(target ccm-${ARG_NAME})
  add_library(${target} MODULE ${ARG_SOURCES})
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR ${CCM_PLUGIN_OUTPUT_DIR})
  endif()
  if(ARG_SCHEMA)
    ccm_embed_schema(${target} ${ARG_NAME} ${ARG_SCHEMA})
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR})
  target_link_libraries(${target} PRIVATE ccm_sdk ${ARG_LIBRARIES})
  # --exclude-libs keeps the static SDK's symbols out of the export table.
  target_link_options(${target} PRIVATE -Wl,--exclude-libs,ALL)
  if(NOT CCM_PLUGIN_LINK_ALLOWS_UNDEFINED)
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  # cmake/Install.cmake installs every shipped plugin (and its schema) from this list.
  set_property(GLOBAL APPEND PROPERTY CCM_PLUGIN_TARGETS ${target})
  if(ARG_SCHEMA)
    get_filename_component(schema_path ${ARG_SCHEMA} ABSOLUTE)
    set_property(TARGET ${target} PROPERTY CCM_PLUGIN_SCHEMA ${schema_path})
  endif()
endfunction()

# Generates <name>_schema.hpp holding the schema file's text as kConfigSchema.
function(ccm_embed_schema target name schema)
  get_filename_component(schema_path ${schema} ABSOLUTE)
  string(REPLACE "-" "_" ident ${name})
  set(header ${CMAKE_CURRENT_BINARY_DIR}/generated/${ident}_schema.hpp)
  file(READ ${schema_path} CCM_SCHEMA_TEXT)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${schema_path})
  file(CONFIGURE OUTPUT ${header}
    CONTENT "#pragma once\n// Generated from ${schema}; edit that file.\ninline constexpr const char kConfigSchema[] = R\"ccmschema(${CCM_SCHEMA_TEXT})ccmschema\";\n" @ONLY)
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
endfunction()
