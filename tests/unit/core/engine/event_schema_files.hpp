#pragma once

#include <rapidjson/document.h>

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "ccm/sdk/result.hpp"
#include "config/json_schema.hpp"

// Reads the shipped event schemas (config/schemas/events/<type>.json) for the
// engine's event tests.
namespace ccm::core::event_testing {

inline std::string eventSchemaDirectory() {
  return CCM_SOURCE_DIR "/config/schemas/events/";
}

inline std::optional<std::string> readEventSchemaText(std::string_view type) {
  std::ifstream file(eventSchemaDirectory() + std::string(type) + ".json", std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

inline sdk::Result<std::shared_ptr<const JsonSchema>> compileEventSchema(std::string_view type) {
  const std::string origin = std::string(type) + ".json";
  auto text = readEventSchemaText(type);
  if (!text) return sdk::Error{origin, origin + ": cannot open " + eventSchemaDirectory() + origin};
  return JsonSchema::compile(*text, origin);
}

// Validates a payload (JSON object text) against its type's schema; the error
// also reports a missing schema or unparsable payload.
inline std::optional<sdk::Error> validateEventData(std::string_view type, const std::string& data) {
  auto schema = compileEventSchema(type);
  if (!schema) return schema.error();
  rapidjson::Document document;
  document.Parse(data.c_str(), data.size());
  if (document.HasParseError()) return sdk::Error{"data", "payload is not JSON: " + data};
  return schema.value()->validate(document);
}

}  // namespace ccm::core::event_testing
