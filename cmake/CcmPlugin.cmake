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
  string(REPLACE "-" "_" ident ${name})
  ccm_embed_text(${target} ${schema} ${ident}_schema.hpp kConfigSchema)
endfunction()

# Generates `header` (in the binary dir's generated/, which becomes an include
# directory of `target`) holding `file`'s text as `inline constexpr const char
# variable[]`; a change to the file reconfigures. @VAR@ in the text is
# replaced by that CMake variable's value.
function(ccm_embed_text target file header variable)
  get_filename_component(path ${file} ABSOLUTE)
  file(READ ${path} CCM_EMBEDDED_TEXT)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${path})
  set(definition "inline constexpr const char ${variable}[] = R\"ccmschema(${CCM_EMBEDDED_TEXT})ccmschema\";")
  string(LENGTH "${CCM_EMBEDDED_TEXT}" length)
  if(length GREATER 65000)
    # GCC and clang take longer literals than the 65536 characters C++ requires
    # of every compiler; -Wpedantic (clang) warns about them all the same.
    set(definition "#pragma GCC diagnostic push\n#pragma GCC diagnostic ignored \"-Woverlength-strings\"\n${definition}\n#pragma GCC diagnostic pop")
  endif()
  file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/generated/${header}
    CONTENT "#pragma once\n// Generated from ${file}; edit that file.\n${definition}\n" @ONLY)
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
endfunction()
