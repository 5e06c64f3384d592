#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace ccm::sdk {

// The payload of an event. JSON data is kept as serialized JSON text so the SDK
// needs no JSON library in its signatures; bytes are kept raw (not base64).
class Data {
public:
  enum class Kind { None, Json, Text, Bytes };

  Data() = default;
  static Data json(std::string serialized) { return Data(Kind::Json, std::move(serialized)); }
  static Data text(std::string text) { return Data(Kind::Text, std::move(text)); }
  static Data bytes(std::string raw) { return Data(Kind::Bytes, std::move(raw)); }

  Kind kind() const { return kind_; }
  bool empty() const { return kind_ == Kind::None; }
  // Serialized JSON, text, or raw bytes, depending on kind().
  const std::string& value() const { return value_; }

  friend bool operator==(const Data&, const Data&) = default;

private:
  Data(Kind kind, std::string value) : kind_(kind), value_(std::move(value)) {}
  Kind kind_ = Kind::None;
  std::string value_;
};

// CloudEvents 1.0.2 type system for extension attributes: Boolean, Integer and
// String. URI, URI-reference, Timestamp and Binary values are carried in their
// canonical string form, as the JSON format and the HTTP binding carry them.
using ExtensionValue = std::variant<bool, std::int32_t, std::string>;

// One CloudEvent (CloudEvents 1.0.2). A value type: copy freely.
// Use ccm::sdk::validate() (codec.hpp) to check it against the spec.
struct CloudEvent {
  std::string specversion = "1.0";
  std::string id;
  std::string source;  // URI-reference
  std::string type;
  std::optional<std::string> datacontenttype;  // RFC 2046 media type
  std::optional<std::string> dataschema;       // URI
  std::optional<std::string> subject;
  std::optional<std::string> time;  // RFC 3339, kept as received
  std::map<std::string, ExtensionValue> extensions;
  Data data;

  friend bool operator==(const CloudEvent&, const CloudEvent&) = default;
};

}  // namespace ccm::sdk
