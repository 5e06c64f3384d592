#include "pod_schema.hpp"

#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include <memory>

#include "pod_json_schema.hpp"

namespace ccm::plugins::pod_generator {
namespace {

// Compiled once and read-only afterwards, so concurrent validators share it.
// The source document stays alive beside it, as RapidJSON expects.
struct CompiledSchema {
  rapidjson::Document document;
  std::unique_ptr<rapidjson::SchemaDocument> schema;

  CompiledSchema() {
    document.Parse(kPodSchema);
    schema = std::make_unique<rapidjson::SchemaDocument>(document);
  }
};

const rapidjson::SchemaDocument& podSchema() {
  static const CompiledSchema compiled;
  return *compiled.schema;
}

std::string pointerText(const rapidjson::Pointer& pointer) {
  rapidjson::StringBuffer buffer;
  pointer.Stringify(buffer);
  return buffer.GetSize() == 0 ? "/" : std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::optional<sdk::Error> validatePod(const std::string& pod_json) {
  rapidjson::Document pod;
  pod.Parse(pod_json.data(), pod_json.size());
  if (pod.HasParseError()) return sdk::Error{"pod", "generated Pod is not valid JSON"};
  rapidjson::SchemaValidator validator(podSchema());
  if (pod.Accept(validator)) return std::nullopt;
  const std::string where = pointerText(validator.GetInvalidDocumentPointer());
  return sdk::Error{where, "generated Pod does not satisfy config/schemas/pod.schema.json at " + where +
                               ": violates \"" + validator.GetInvalidSchemaKeyword() + "\" of schema " +
                               pointerText(validator.GetInvalidSchemaPointer())};
}

}  // namespace ccm::plugins::pod_generator
