#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "ccm/sdk/codec.hpp"

namespace ccm::sdk::test {

inline CloudEvent minimalEvent() {
  CloudEvent event;
  event.id = "evt-1";
  event.source = "/sensors/7";
  event.type = "com.example.reading";
  return event;
}

// Every optional attribute, one extension of each type and JSON data.
inline CloudEvent fullEvent() {
  CloudEvent event = minimalEvent();
  event.datacontenttype = "application/json";
  event.dataschema = "https://example.com/schemas/reading.json";
  event.subject = "room/42";
  event.time = "2026-03-01T12:30:15.250+01:00";
  event.extensions["comexamplestring"] = std::string("value");
  event.extensions["comexampleint"] = std::int32_t{-42};
  event.extensions["comexampleflag"] = true;
  event.data = Data::json(R"({"celsius":21.5,"tags":["a","b"],"ok":true,"none":null})");
  return event;
}

// The structured JSON of minimalEvent() with `members` appended (each starting with a comma).
inline std::string minimalJsonWith(std::string_view members) {
  return std::string(R"({"specversion":"1.0","id":"evt-1","source":"/sensors/7","type":"com.example.reading")") +
         std::string(members) + "}";
}

template <class T>
Error errorOf(const Result<T>& result) {
  if (result.ok()) {
    ADD_FAILURE() << "expected an error, got a value";
    return {};
  }
  return result.error();
}

inline Error errorOf(const std::optional<Error>& error) {
  if (!error) {
    ADD_FAILURE() << "expected an error, got none";
    return {};
  }
  return *error;
}

// The error is reported at `where` and its message names `attribute` and contains `rule`.
inline void expectError(const Error& error, std::string_view where, std::string_view attribute, std::string_view rule) {
  EXPECT_EQ(error.where, where);
  EXPECT_THAT(error.message, ::testing::HasSubstr("\"" + std::string(attribute) + "\""));
  EXPECT_THAT(error.message, ::testing::HasSubstr(std::string(rule)));
}

}  // namespace ccm::sdk::test
