// Writes the CloudEvents JSON event format 1.0.2 (structured and batch).
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "ccm/sdk/codec.hpp"
#include "codec_detail.hpp"

namespace ccm::sdk {

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void writeString(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void writeMember(JsonWriter& writer, std::string_view name, std::string_view value) {
  writeString(writer, name);
  writeString(writer, value);
}

void writeOptional(JsonWriter& writer, std::string_view name, const std::optional<std::string>& value) {
  if (value) writeMember(writer, name, *value);
}

}  // namespace

// JSON format 3: fixed attribute order, extensions by name, then the data member.
std::string toStructured(const CloudEvent& event) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writeMember(writer, "specversion", event.specversion);
  writeMember(writer, "id", event.id);
  writeMember(writer, "source", event.source);
  writeMember(writer, "type", event.type);
  writeOptional(writer, "datacontenttype", event.datacontenttype);
  writeOptional(writer, "dataschema", event.dataschema);
  writeOptional(writer, "subject", event.subject);
  writeOptional(writer, "time", event.time);
  for (const auto& [name, value] : event.extensions) {
    writeString(writer, name);
    if (const auto* flag = std::get_if<bool>(&value)) writer.Bool(*flag);
    if (const auto* number = std::get_if<std::int32_t>(&value)) writer.Int(*number);
    if (const auto* text = std::get_if<std::string>(&value)) writeString(writer, *text);
  }
  const std::string& value = event.data.value();
  switch (event.data.kind()) {
    case Data::Kind::None:
      break;
    case Data::Kind::Json:
      // Spliced verbatim; validate() checks that it is exactly one JSON value.
      writeString(writer, "data");
      writer.RawValue(value.data(), value.size(), rapidjson::kObjectType);
      break;
    case Data::Kind::Text:
      writeMember(writer, "data", value);
      break;
    case Data::Kind::Bytes:
      writeMember(writer, "data_base64", detail::encodeBase64(value));
      break;
  }
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string toBatch(const std::vector<CloudEvent>& events) {
  std::string batch = "[";
  for (const auto& event : events) {
    if (batch.size() > 1) batch += ',';
    batch += toStructured(event);
  }
  return batch + "]";
}

}  // namespace ccm::sdk
