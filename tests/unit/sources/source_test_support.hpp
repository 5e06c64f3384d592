#pragma once

// What the source plugins' unit tests share: an inbound event, the schema a
// source publishes for a type, and checking data against a schema.
#include <fstream>
#include <sstream>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include "ccm/sdk/cloud_event.hpp"

namespace ccm::sources::testing {

// An event from `source` with JSON `data`, as the ingress hands it over.
inline sdk::CloudEvent inboundEvent(const std::string& source, const std::string& type, const std::string& data) {
  sdk::CloudEvent e;
  e.id = "evt-1";
  e.source = source;
  e.type = type;
  e.datacontenttype = "application/json";
  e.data = sdk::Data::json(data);
  return e;
}

// config/schemas/consumed/<type>.json, the schema the docs publish.
inline std::string publishedSchema(const std::string& type) {
  std::ifstream in(std::string(CCM_SOURCE_DIR) + "/config/schemas/consumed/" + type + ".json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline bool schemaAccepts(const std::string& schema_text, const std::string& data) {
  rapidjson::Document schema_doc;
  schema_doc.Parse(schema_text.c_str());
  rapidjson::SchemaDocument schema(schema_doc);
  rapidjson::Document doc;
  doc.Parse(data.c_str());
  rapidjson::SchemaValidator validator(schema);
  return doc.Accept(validator);
}

}  // namespace ccm::sources::testing
