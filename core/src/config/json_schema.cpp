#include "config/json_schema.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>
#include <utility>

#include "config/json_locations.hpp"

namespace ccm::core {
namespace {

std::string pointerText(const rapidjson::Pointer& pointer) {
  rapidjson::StringBuffer buffer;
  pointer.Stringify(buffer);
  return buffer.GetString();
}

std::string joinNames(const rapidjson::Value& array_or_object, bool object_keys) {
  std::string out;
  auto append = [&out](std::string_view name) {
    if (!out.empty()) out += ", ";
    out += '"';
    out += name;
    out += '"';
  };
  if (object_keys && array_or_object.IsObject()) {
    for (const auto& member : array_or_object.GetObject()) append(member.name.GetString());
  } else if (!object_keys && array_or_object.IsArray()) {
    for (const auto& item : array_or_object.GetArray()) {
      if (item.IsString()) append(item.GetString());
      else out += (out.empty() ? "" : ", ") + toJsonText(item);
    }
  }
  return out;
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// Turns RapidJSON's (keyword, schema node, value) triple into "what was expected".
std::string explain(std::string_view keyword, const rapidjson::Value* schema, const rapidjson::Value* value,
                    const std::string& pointer) {
  const std::string got = value ? jsonTypeName(*value) : "nothing";
  if (keyword == "required" && schema && value && value->IsObject()) {
    if (const auto* required = member(*schema, "required"); required && required->IsArray()) {
      for (const auto& name : required->GetArray()) {
        if (name.IsString() && !value->HasMember(name)) {
          return std::string("missing required property \"") + name.GetString() + "\"";
        }
      }
    }
  }
  if (keyword == "additionalProperties" && schema) {
    // RapidJSON reports the offending member itself: the pointer ends with its name.
    const auto slash = pointer.rfind('/');
    const std::string name = slash == std::string::npos ? pointer : pointer.substr(slash + 1);
    const auto* properties = member(*schema, "properties");
    const std::string allowed = properties ? joinNames(*properties, true) : "";
    return "unknown property \"" + name + "\"" + (allowed.empty() ? "" : " (allowed: " + allowed + ")");
  }
  if (keyword == "type" && schema) {
    if (const auto* type = member(*schema, "type")) {
      return "expected " + (type->IsString() ? std::string(type->GetString()) : joinNames(*type, false)) + ", got " +
             got;
    }
  }
  if (keyword == "enum" && schema) {
    if (const auto* values = member(*schema, "enum")) {
      return "expected one of " + joinNames(*values, false) + ", got " + (value ? toJsonText(*value) : got);
    }
  }
  if (schema) {
    if (const auto* limit = member(*schema, std::string(keyword).c_str())) {
      return "violates \"" + std::string(keyword) + "\": " + toJsonText(*limit) +
             (value && !value->IsObject() && !value->IsArray() ? ", got " + toJsonText(*value) : "");
    }
  }
  return "violates schema keyword \"" + std::string(keyword) + "\"";
}

// The draft-04 keywords RapidJSON validates (and exclusiveMinimum and
// exclusiveMaximum, as draft-04's booleans only: implementedKeyword()).
const std::set<std::string_view> kImplemented = {
    // any value
    "$ref", "type", "enum", "allOf", "anyOf", "oneOf", "not",
    // objects
    "required", "properties", "patternProperties", "additionalProperties", "dependencies", "minProperties",
    "maxProperties",
    // arrays
    "items", "additionalItems", "minItems", "maxItems", "uniqueItems",
    // strings and numbers
    "pattern", "minLength", "maxLength", "minimum", "maximum", "multipleOf"};
// Keywords that validate nothing in any draft (and places for subschemas).
const std::set<std::string_view> kAnnotations = {
    "$schema",     "$id",    "id",       "$comment",  "title",      "description",      "default",
    "examples",    "format", "readOnly", "writeOnly", "deprecated", "contentMediaType", "contentEncoding",
    "definitions", "$defs"};
// Where subschemas are: maps of them, arrays of them, and single ones.
const std::set<std::string_view> kSchemaMaps = {"properties", "patternProperties", "dependencies", "definitions",
                                                "$defs"};
const std::set<std::string_view> kSchemaArrays = {"allOf", "anyOf", "oneOf", "items"};
const std::set<std::string_view> kSchemaValues = {"items", "additionalItems", "additionalProperties", "not"};

bool implementedKeyword(std::string_view keyword, const rapidjson::Value& value) {
  if (keyword == "exclusiveMinimum" || keyword == "exclusiveMaximum") return value.IsBool();
  return kImplemented.count(keyword) != 0;
}

// Parses `text` into `document`, or the error: "ORIGIN: WHAT is not valid JSON at offset ...".
std::optional<sdk::Error> parseInto(rapidjson::Document& document, std::string_view text, const std::string& origin,
                                    const char* what) {
  document.Parse(text.data(), text.size());
  if (!document.HasParseError()) return std::nullopt;
  return sdk::Error{origin, origin + ": " + what + " is not valid JSON at offset " +
                                std::to_string(document.GetErrorOffset()) + ": " +
                                rapidjson::GetParseError_En(document.GetParseError())};
}

}  // namespace

std::vector<std::string> unimplementedKeywords(const rapidjson::Value& schema, const std::string& pointer) {
  std::vector<std::string> found;
  // An explicit stack: a schema can nest as deep as its author likes.
  std::vector<std::pair<const rapidjson::Value*, std::string>> pending{{&schema, pointer}};
  while (!pending.empty()) {
    auto [node, at] = std::move(pending.back());
    pending.pop_back();
    if (!node->IsObject()) continue;
    // Draft-04 ignores the siblings of "$ref"; 2020-12 applies them.
    const bool beside_ref = node->HasMember("$ref");
    for (const auto& member : node->GetObject()) {
      const std::string_view keyword(member.name.GetString(), member.name.GetStringLength());
      const auto& value = member.value;
      const std::string here = at + "/" + pointerToken(keyword);
      if (!kAnnotations.count(keyword) && (!implementedKeyword(keyword, value) || (beside_ref && keyword != "$ref"))) {
        found.push_back(here);
      }
      if (kSchemaMaps.count(keyword) && value.IsObject()) {
        for (const auto& sub : value.GetObject()) {
          pending.emplace_back(&sub.value,
                               here + "/" + pointerToken({sub.name.GetString(), sub.name.GetStringLength()}));
        }
      } else if (kSchemaArrays.count(keyword) && value.IsArray()) {
        for (rapidjson::SizeType i = 0; i < value.Size(); ++i)
          pending.emplace_back(&value[i], here + "/" + std::to_string(i));
      } else if (kSchemaValues.count(keyword)) {
        pending.emplace_back(&value, here);
      }
    }
  }
  return found;
}

struct JsonSchema::Impl {
  std::string origin;
  rapidjson::Document document;
  std::unique_ptr<rapidjson::SchemaDocument> schema;
};

JsonSchema::JsonSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonSchema::~JsonSchema() = default;

sdk::Result<std::shared_ptr<const JsonSchema>> JsonSchema::compile(std::string_view text, std::string origin) {
  auto impl = std::make_unique<Impl>();
  impl->origin = std::move(origin);
  if (auto error = parseInto(impl->document, text, impl->origin, "schema")) return *error;
  if (!impl->document.IsObject()) return sdk::Error{impl->origin, impl->origin + ": schema must be a JSON object"};
  impl->schema = std::make_unique<rapidjson::SchemaDocument>(impl->document);
  return std::shared_ptr<const JsonSchema>(new JsonSchema(std::move(impl)));
}

sdk::Result<std::shared_ptr<const JsonSchema>> JsonSchema::compileAt(std::string_view document,
                                                                     std::string_view pointer, std::string origin) {
  if (pointer.empty()) return compile(document, std::move(origin));
  auto impl = std::make_unique<Impl>();
  impl->origin = std::move(origin);
  if (auto error = parseInto(impl->document, document, impl->origin, "document")) return *error;
  const rapidjson::Pointer at(pointer.data(), pointer.size());
  const rapidjson::Value* schema = at.IsValid() ? at.Get(impl->document) : nullptr;
  if (schema == nullptr || !schema->IsObject()) {
    return sdk::Error{impl->origin, impl->origin + ": no schema (JSON object) at " + std::string(pointer)};
  }
  if (impl->document.HasMember("$ref")) {
    return sdk::Error{impl->origin, impl->origin + ": the document's root has a \"$ref\" of its own"};
  }
  // RapidJSON validates against a document's root: a root "$ref" to the
  // schema makes it the root, and the rest of the document stays reachable.
  rapidjson::StringBuffer fragment;
  at.StringifyUriFragment(fragment);
  auto& allocator = impl->document.GetAllocator();
  impl->document.AddMember("$ref", rapidjson::Value(fragment.GetString(), allocator), allocator);
  impl->schema = std::make_unique<rapidjson::SchemaDocument>(impl->document);
  return std::shared_ptr<const JsonSchema>(new JsonSchema(std::move(impl)));
}

std::optional<sdk::Error> JsonSchema::validate(const rapidjson::Value& value, std::string_view pointer_prefix) const {
  rapidjson::SchemaValidator validator(*impl_->schema);
  if (value.Accept(validator)) return std::nullopt;

  const std::string keyword = validator.GetInvalidSchemaKeyword();
  const auto schema_pointer = validator.GetInvalidSchemaPointer();
  const auto document_pointer = validator.GetInvalidDocumentPointer();
  const rapidjson::Value* schema_node = schema_pointer.Get(impl_->document);
  const rapidjson::Value* value_node = document_pointer.Get(value);

  std::string pointer = std::string(pointer_prefix) + pointerText(document_pointer);
  std::string reason = explain(keyword, schema_node, value_node, pointer);
  if (pointer.empty()) pointer = "/";
  return sdk::Error{pointer, pointer + ": " + reason};
}

std::string jsonTypeName(const rapidjson::Value& value) {
  if (value.IsNull()) return "null";
  if (value.IsBool()) return "boolean";
  if (value.IsObject()) return "object";
  if (value.IsArray()) return "array";
  if (value.IsString()) return "string";
  if (value.IsInt64() || value.IsUint64()) return "integer";
  return "number";
}

std::string toJsonText(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace ccm::core
