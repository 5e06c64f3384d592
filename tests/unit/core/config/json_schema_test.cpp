#include "config/json_schema.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace ccm::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

rapidjson::Document parsed(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str());
  return document;
}

// A schema inside a larger document, as OpenAPI puts them: under a path whose
// name needs escaping, referring to the document's components.
const std::string kDocument = R"({
  "paths": {"/x/{id}": {"schema": {"$ref": "#/components/schemas/A"}}},
  "components": {"schemas": {
    "A": {"type": "object", "required": ["b"], "additionalProperties": false,
          "properties": {"b": {"$ref": "#/components/schemas/B"}}},
    "B": {"type": "integer", "minimum": 1}}}})";

TEST(JsonSchemaCompileAt, ResolvesRefsAgainstTheWholeDocument) {
  auto schema = JsonSchema::compileAt(kDocument, "/paths/~1x~1{id}/schema", "doc");
  ASSERT_TRUE(schema) << schema.error().message;
  EXPECT_FALSE(schema.value()->validate(parsed(R"({"b": 2})")));
  auto wrong = schema.value()->validate(parsed(R"({"b": "two"})"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->message, "/b: expected integer, got string");
  auto missing = schema.value()->validate(parsed(R"({})"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->message, "/: missing required property \"b\"");
}

TEST(JsonSchemaCompileAt, NamesAPointerWithoutASchema) {
  auto schema = JsonSchema::compileAt(kDocument, "/components/schemas/C", "doc");
  ASSERT_FALSE(schema);
  EXPECT_EQ(schema.error().message, "doc: no schema (JSON object) at /components/schemas/C");
}

TEST(JsonSchemaCompileAt, RefusesADocumentWithARootRef) {
  auto schema = JsonSchema::compileAt(R"({"$ref": "#/a", "a": {"type": "string"}})", "/a", "doc");
  ASSERT_FALSE(schema);
  EXPECT_EQ(schema.error().message, "doc: the document's root has a \"$ref\" of its own");
}

TEST(UnimplementedKeywords, NamesKeywordsTheValidatorWouldIgnore) {
  const auto schema = parsed(R"({
    "type": "object", "prefixItems": [],
    "properties": {
      "a": {"const": 1},
      "b": {"$ref": "#/x", "maxLength": 2, "description": "an annotation beside $ref is fine"},
      "c": {"exclusiveMinimum": 0},
      "d": {"type": "array", "items": {"anyOf": [{"type": "string", "unevaluatedProperties": false}]}}}})");
  auto found = unimplementedKeywords(schema, "/s");
  std::sort(found.begin(), found.end());
  EXPECT_THAT(found,
              ElementsAre("/s/prefixItems", "/s/properties/a/const", "/s/properties/b/maxLength",
                          "/s/properties/c/exclusiveMinimum", "/s/properties/d/items/anyOf/0/unevaluatedProperties"));
}

TEST(UnimplementedKeywords, AcceptsDraft04KeywordsAndAnnotations) {
  const auto schema = parsed(R"({
    "title": "t", "description": "d", "type": ["object", "null"], "required": ["a"],
    "additionalProperties": {"type": "integer", "minimum": 0, "exclusiveMinimum": true},
    "patternProperties": {"^x-": {"type": "string", "format": "uri", "pattern": "^h"}},
    "properties": {"a/b": {"enum": ["x", null], "examples": [{"const": 1}]}},
    "oneOf": [{"minProperties": 1}, {"not": {"maxProperties": 0}}],
    "$defs": {"d": {"type": "array", "items": [{"type": "string"}], "minItems": 1, "uniqueItems": true}}})");
  EXPECT_THAT(unimplementedKeywords(schema), IsEmpty());
}

}  // namespace
}  // namespace ccm::core
