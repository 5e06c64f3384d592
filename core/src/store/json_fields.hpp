#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "ccm/sdk/result.hpp"
#include "domain/aggregates.hpp"

// Writes and reads the flat JSON objects of aggregate_json.hpp.
namespace ccm::core {

class JsonObjectWriter {
public:
  JsonObjectWriter() { writer_.StartObject(); }

  JsonObjectWriter& text(const char* name, std::string_view value);
  JsonObjectWriter& integer(const char* name, std::int64_t value);
  JsonObjectWriter& number(const char* name, double value);
  JsonObjectWriter& boolean(const char* name, bool value);
  JsonObjectWriter& null(const char* name);
  // Text that is a JSON object is embedded as one; anything else as a string.
  JsonObjectWriter& jsonObject(const char* name, const std::string& value);
  JsonObjectWriter& ports(const char* name, const PortAllocation& ports);

  std::string finish();

private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_{buffer_};
};

// Reads members of one object into fields. The first problem is kept and
// returned by finish(), so a reader lists its fields without checking each.
// A missing member leaves its field as it was.
class JsonObjectReader {
public:
  // `what` names the object in errors ("worker: /state: ...").
  JsonObjectReader(std::string_view json, std::string_view what);

  JsonObjectReader& required(const char* name);
  JsonObjectReader& text(const char* name, std::string& out);
  JsonObjectReader& number(const char* name, double& out);
  JsonObjectReader& boolean(const char* name, bool& out);
  // Accepts an embedded object (kept as compact text) or a string.
  JsonObjectReader& jsonObject(const char* name, std::string& out);
  JsonObjectReader& ports(const char* name, PortAllocation& out);

  template <class Integer>
  JsonObjectReader& integer(const char* name, Integer& out) {
    if (const auto* value = member(name)) {
      if (value->IsInt64() && value->GetInt64() >= std::numeric_limits<Integer>::min() &&
          value->GetInt64() <= static_cast<std::int64_t>(std::numeric_limits<Integer>::max())) {
        out = static_cast<Integer>(value->GetInt64());
      } else {
        fail(name, "must be an integer from " + std::to_string(std::numeric_limits<Integer>::min()) + " to " +
                       std::to_string(std::numeric_limits<Integer>::max()));
      }
    }
    return *this;
  }

  template <class State>
  JsonObjectReader& state(const char* name, State& out, std::optional<State> (*from)(std::string_view)) {
    if (const auto* value = member(name)) {
      std::optional<State> state;
      if (value->IsString()) state = from({value->GetString(), value->GetStringLength()});
      if (state) {
        out = *state;
      } else {
        fail(name, "is not a known state");
      }
    }
    return *this;
  }

  // null or absent leaves `out` empty.
  template <class State>
  JsonObjectReader& optionalState(const char* name, std::optional<State>& out,
                                  std::optional<State> (*from)(std::string_view)) {
    if (const auto* value = member(name); value && !value->IsNull()) {
      State state{};
      this->state(name, state, from);
      if (!error_) out = state;
    }
    return *this;
  }

  template <class T>
  sdk::Result<T> finish(T value) {
    if (error_) return *error_;
    return value;
  }

private:
  const rapidjson::Value* member(const char* name);
  void fail(const std::string& name, const std::string& problem);

  std::string_view what_;
  rapidjson::Document document_;
  std::optional<sdk::Error> error_;
};

}  // namespace ccm::core
