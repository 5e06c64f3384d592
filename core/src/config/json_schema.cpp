#include "config/json_schema.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>


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

}  // namespace

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
  impl->document.Parse(text.data(), text.size());
  if (impl->document.HasParseError()) {
    return sdk::Error{impl->origin, impl->origin + ": schema is not valid JSON at offset " +
                                        std::to_string(impl->document.GetErrorOffset()) + ": " +
                                        rapidjson::GetParseError_En(impl->document.GetParseError())};
  }
  if (!impl->document.IsObject()) return sdk::Error{impl->origin, impl->origin + ": schema must be a JSON object"};
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
