#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "ccm/sdk/result.hpp"

namespace ccm::core {

// A compiled JSON Schema (the draft-04 subset RapidJSON implements) that
// explains failures in operator terms: the JSON pointer of the bad value and
// what was expected there.
class JsonSchema {
public:
  // `origin` names the schema in errors (a file or a plugin name).
  static sdk::Result<std::shared_ptr<const JsonSchema>> compile(std::string_view text, std::string origin);
  // The schema at `pointer` (RFC 6901) within the JSON text `document`, its
  // "$ref"s resolved in the whole document: a schema inside an OpenAPI
  // document, which refers to the document's components.
  static sdk::Result<std::shared_ptr<const JsonSchema>> compileAt(std::string_view document, std::string_view pointer,
                                                                   std::string origin);

  // Validates `value`; `pointer_prefix` is prepended to reported pointers so
  // a plugin's config is reported at its place in the whole file.
  std::optional<sdk::Error> validate(const rapidjson::Value& value, std::string_view pointer_prefix = "") const;

  ~JsonSchema();

private:
  struct Impl;
  explicit JsonSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The keywords of `schema` and its subschemas that JsonSchema does not
// implement, as JSON pointers under `pointer`: RapidJSON implements draft-04
// and ignores any other keyword (const, prefixItems, a numeric
// exclusiveMinimum, siblings of "$ref"), so a schema using one checks less
// than it says. Annotations (description, examples, format, ...) are fine.
std::vector<std::string> unimplementedKeywords(const rapidjson::Value& schema, const std::string& pointer = "");

// The JSON type name of a value as JSON Schema names it ("object", "integer", ...).
std::string jsonTypeName(const rapidjson::Value& value);

// Compact serialization of a value.
std::string toJsonText(const rapidjson::Value& value);

}  // namespace ccm::core
