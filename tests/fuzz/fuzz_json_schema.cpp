// The JSON Schema validator on untrusted documents, as ingress uses it: the
// data of an inbound event (nesting bounded as the codec bounds it) checked
// against a catalog schema. The first byte picks the schema (every file of
// config/schemas/consumed and config/schemas/events), the rest is the
// document. A refusal has a message and names a value the document has.
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "ccm/sdk/codec.hpp"
#include "config/json_schema.hpp"
#include "fuzz_target.hpp"
#include "schema_file.hpp"

namespace {

std::vector<std::shared_ptr<const ccm::core::JsonSchema>> loadSchemas() {
  std::vector<std::filesystem::path> files;
  for (const char* dir : {CCM_SCHEMA_DIR "/consumed", CCM_SCHEMA_DIR "/events"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::shared_ptr<const ccm::core::JsonSchema>> schemas;
  for (const auto& file : files) schemas.push_back(ccm::fuzz::compileSchemaFile(file));
  return schemas;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto schemas = loadSchemas();
  if (size == 0) return 0;
  const auto& schema = *schemas[data[0] % schemas.size()];
  const std::string json(ccm::fuzz::asText(data + 1, size - 1));
  if (ccm::sdk::jsonNestsDeeperThan(json, ccm::sdk::ParseLimits{}.max_depth)) return 0;
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(json.c_str(), json.size());
  if (document.HasParseError()) return 0;
  const auto error = schema.validate(document);
  if (!error) return 0;
  if (error->message.empty()) ccm::fuzz::propertyFailed("a refusal without a message");
  // Refusals name the document itself "/" (JsonSchema::validate).
  const rapidjson::Pointer pointer(error->where == "/" ? "" : error->where.c_str());
  if (!pointer.IsValid() || pointer.Get(document) == nullptr) {
    ccm::fuzz::propertyFailed("a refusal names a JSON pointer the document does not have");
  }
  return 0;
}
