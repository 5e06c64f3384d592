# Embeds every config/schemas/events/*.json into the gateway as
# embeddedEventSchemas(), so GET /api/v1/schemas/{type} needs no data files.
function(ccm_embed_event_schemas target)
  file(GLOB schemas CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/config/schemas/events/*.json)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/generated/event_schemas.cpp)
  set(body "")
  foreach(schema ${schemas})
    get_filename_component(file_name ${schema} NAME)
    string(REGEX REPLACE "\\.json$" "" type ${file_name})
    file(READ ${schema} text)
    string(APPEND body "      {\"${type}\", R\"ccmschema(${text})ccmschema\"},\n")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${schema})
  endforeach()
  file(CONFIGURE OUTPUT ${out} CONTENT "// Generated from config/schemas/events/*.json; edit those files.
#include \"event_schemas.hpp\"

namespace ccm::core {

const std::vector<std::pair<std::string_view, std::string_view>>& embeddedEventSchemas() {
  static const std::vector<std::pair<std::string_view, std::string_view>> schemas = {
${body}  };
  return schemas;
}

}  // namespace ccm::core
" @ONLY)
  file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/generated/event_schemas.hpp CONTENT "#pragma once
// Generated; the JSON Schema of every emitted event type, by type.
#include <string_view>
#include <utility>
#include <vector>

namespace ccm::core {
const std::vector<std::pair<std::string_view, std::string_view>>& embeddedEventSchemas();
}
")
  target_sources(${target} PRIVATE ${out})
endfunction()
