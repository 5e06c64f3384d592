#include "store/json_fields.hpp"

namespace ccm::core {

JsonObjectWriter& JsonObjectWriter::text(const char* name, std::string_view value) {
  writer_.Key(name);
  writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  return *this;
}

JsonObjectWriter& JsonObjectWriter::integer(const char* name, std::int64_t value) {
  writer_.Key(name);
  writer_.Int64(value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::number(const char* name, double value) {
  writer_.Key(name);
  writer_.Double(value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::boolean(const char* name, bool value) {
  writer_.Key(name);
  writer_.Bool(value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::null(const char* name) {
  writer_.Key(name);
  writer_.Null();
  return *this;
}

JsonObjectWriter& JsonObjectWriter::jsonObject(const char* name, const std::string& value) {
  rapidjson::Document parsed;
  parsed.Parse(value.data(), value.size());
  if (parsed.HasParseError() || !parsed.IsObject()) return text(name, value);
  writer_.Key(name);
  parsed.Accept(writer_);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::ports(const char* name, const PortAllocation& ports) {
  writer_.Key(name);
  writer_.StartObject();
  for (const auto& [annotation, port] : ports) {
    writer_.Key(annotation.data(), static_cast<rapidjson::SizeType>(annotation.size()));
    writer_.Uint(port);
  }
  writer_.EndObject();
  return *this;
}

std::string JsonObjectWriter::finish() {
  writer_.EndObject();
  return {buffer_.GetString(), buffer_.GetSize()};
}

JsonObjectReader::JsonObjectReader(std::string_view json, std::string_view what) : what_(what) {
  document_.Parse(json.data(), json.size());
  if (document_.HasParseError() || !document_.IsObject()) fail("", "is not a JSON object");
}

JsonObjectReader& JsonObjectReader::required(const char* name) {
  if (!error_ && !document_.HasMember(name)) fail(name, "is required");
  return *this;
}

JsonObjectReader& JsonObjectReader::text(const char* name, std::string& out) {
  if (const auto* value = member(name)) {
    if (value->IsString()) {
      out.assign(value->GetString(), value->GetStringLength());
    } else {
      fail(name, "must be a string");
    }
  }
  return *this;
}

JsonObjectReader& JsonObjectReader::number(const char* name, double& out) {
  if (const auto* value = member(name)) {
    if (value->IsNumber()) {
      out = value->GetDouble();
    } else {
      fail(name, "must be a number");
    }
  }
  return *this;
}

JsonObjectReader& JsonObjectReader::boolean(const char* name, bool& out) {
  if (const auto* value = member(name)) {
    if (value->IsBool()) {
      out = value->GetBool();
    } else {
      fail(name, "must be true or false");
    }
  }
  return *this;
}

JsonObjectReader& JsonObjectReader::jsonObject(const char* name, std::string& out) {
  if (const auto* value = member(name)) {
    if (value->IsString()) {
      out.assign(value->GetString(), value->GetStringLength());
    } else if (value->IsObject()) {
      rapidjson::StringBuffer buffer;
      rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
      value->Accept(writer);
      out.assign(buffer.GetString(), buffer.GetSize());
    } else {
      fail(name, "must be a JSON object");
    }
  }
  return *this;
}

JsonObjectReader& JsonObjectReader::ports(const char* name, PortAllocation& out) {
  const auto* value = member(name);
  if (!value) return *this;
  if (!value->IsObject()) {
    fail(name, "must be an object of annotation to port");
    return *this;
  }
  for (const auto& entry : value->GetObject()) {
    const std::string annotation(entry.name.GetString(), entry.name.GetStringLength());
    if (!entry.value.IsUint() || entry.value.GetUint() > std::numeric_limits<std::uint16_t>::max()) {
      fail(std::string(name) + "/" + annotation, "must be a port from 0 to 65535");
      return *this;
    }
    out[annotation] = static_cast<std::uint16_t>(entry.value.GetUint());
  }
  return *this;
}

const rapidjson::Value* JsonObjectReader::member(const char* name) {
  if (error_) return nullptr;
  auto it = document_.FindMember(name);
  return it == document_.MemberEnd() ? nullptr : &it->value;
}

void JsonObjectReader::fail(const std::string& name, const std::string& problem) {
  if (error_) return;
  const std::string pointer = "/" + name;
  error_ = sdk::Error{pointer, std::string(what_) + ": " + pointer + ": " + problem};
}

}  // namespace ccm::core
