#include "put_events.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string_view>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/time.hpp"
#include "common/response_outcome.hpp"

namespace ccm::sinks::eventbridge {
namespace {

// Counted for Time whatever its value (AWS's entry size rules).
constexpr std::size_t kTimeBytes = 14;
// PutEventsResultEntry error codes that pass by waiting.
constexpr std::array<std::string_view, 2> kRetryableEntryCodes = {"ThrottlingException", "InternalFailure"};

// An RFC 3339 time as seconds since the epoch with milliseconds, the way the
// AWS JSON protocols send a timestamp ("Time": 1714564800.125).
std::optional<std::string> epochSeconds(std::string_view time) {
  const auto parsed = sdk::parseRfc3339(time);
  if (!parsed) return std::nullopt;
  const auto seconds = std::chrono::floor<std::chrono::seconds>(*parsed);
  const auto millis = std::chrono::floor<std::chrono::milliseconds>(*parsed) - seconds;
  const std::string text = std::to_string(seconds.time_since_epoch().count());
  if (millis.count() == 0) return text;
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(millis.count()));
  return text + fraction;
}

// The event's data as Detail, which AWS requires to be a JSON object.
std::optional<std::string> dataAsDetail(const sdk::CloudEvent& event) {
  if (event.data.kind() != sdk::Data::Kind::Json) return std::nullopt;
  const std::string& json = event.data.value();
  const auto first = json.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || json[first] != '{') return std::nullopt;
  return json;
}

std::string_view member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return {};
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::vector<sdk::Outcome> entryOutcomes(const sdk::HttpResponse& response, std::size_t count) {
  rapidjson::Document body;
  body.Parse(response.body.data(), response.body.size());
  // MemberEnd()/FindMember() assert on anything but an object: check first.
  const rapidjson::Value* entries = nullptr;
  if (!body.HasParseError() && body.IsObject()) {
    if (const auto it = body.FindMember("Entries"); it != body.MemberEnd()) entries = &it->value;
  }
  if (entries == nullptr || !entries->IsArray() || entries->Size() != count) {
    // AWS took the request, but which entries it kept is unknown: sending all
    // again may duplicate some (consumers dedupe by CloudEvents id) but loses none.
    return std::vector<sdk::Outcome>(
        count, sdk::Outcome::retryable("PutEvents answered HTTP " + std::to_string(response.status) +
                                       " without one result per entry: " + common::bodyExcerpt(response.body)));
  }
  std::vector<sdk::Outcome> outcomes;
  for (const auto& entry : entries->GetArray()) {
    const std::string_view code = member(entry, "ErrorCode");
    if (code.empty()) {
      outcomes.push_back(sdk::Outcome::delivered());
      continue;
    }
    std::string message =
        "PutEvents entry failed: " + std::string(code) + ": " + std::string(member(entry, "ErrorMessage"));
    const bool retryable = std::ranges::find(kRetryableEntryCodes, code) != kRetryableEntryCodes.end();
    outcomes.push_back(retryable ? sdk::Outcome::retryable(std::move(message))
                                 : sdk::Outcome::permanent(std::move(message)));
  }
  return outcomes;
}

// The error's type without its namespace ("com.amazon.coral.availability#ThrottlingException").
std::string errorType(const sdk::HttpResponse& response, const rapidjson::Document& body) {
  std::string type(member(body, "__type"));
  if (type.empty()) type = response.header("X-Amzn-ErrorType").value_or("");
  type = type.substr(0, type.find(':'));
  return type.substr(type.find('#') + 1);
}

}  // namespace

common::Prepared toEntry(const sdk::CloudEvent& event, const EntryMapping& mapping) {
  const std::string& source = mapping.source.empty() ? event.source : mapping.source;
  std::string detail;
  if (mapping.detail == DetailSource::Event) {
    detail = sdk::toStructured(event);
  } else if (auto data = dataAsDetail(event)) {
    detail = std::move(*data);
  } else {
    return sdk::Outcome::permanent(
        "detail \"data\" needs the event's data to be a JSON object (EventBridge's "
        "Detail is one); event " +
        event.id + " has none");
  }
  std::optional<std::string> time;
  if (event.time) {
    time = epochSeconds(*event.time);
    if (!time) return sdk::Outcome::permanent("time \"" + *event.time + "\" is not an RFC 3339 timestamp");
  }
  const bool with_resources = mapping.resources_from_subject && event.subject.has_value();

  const std::size_t bytes = (time ? kTimeBytes : 0) + source.size() + event.type.size() + detail.size() +
                            (with_resources ? event.subject->size() : 0);
  if (bytes > kMaxEntriesBytes) {
    return sdk::Outcome::permanent("PutEvents entry is " + std::to_string(bytes) +
                                   " bytes as AWS counts entry size; the limit is " + std::to_string(kMaxEntriesBytes) +
                                   " (256 KB)");
  }

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("Source");
  writer.String(source.data(), static_cast<rapidjson::SizeType>(source.size()));
  writer.Key("DetailType");
  writer.String(event.type.data(), static_cast<rapidjson::SizeType>(event.type.size()));
  writer.Key("Detail");
  writer.String(detail.data(), static_cast<rapidjson::SizeType>(detail.size()));
  if (!mapping.event_bus_name.empty()) {
    writer.Key("EventBusName");
    writer.String(mapping.event_bus_name.data(), static_cast<rapidjson::SizeType>(mapping.event_bus_name.size()));
  }
  if (time) {
    writer.Key("Time");
    writer.RawValue(time->data(), time->size(), rapidjson::kNumberType);
  }
  if (with_resources) {
    writer.Key("Resources");
    writer.StartArray();
    writer.String(event.subject->data(), static_cast<rapidjson::SizeType>(event.subject->size()));
    writer.EndArray();
  }
  writer.EndObject();
  return common::Entry{std::string(buffer.GetString(), buffer.GetSize()), bytes};
}

std::string putEventsBody(std::span<const common::Entry> entries) {
  return "{\"Entries\":" + common::jsonArray(entries) + "}";
}

std::vector<sdk::Outcome> putEventsOutcomes(const sdk::Result<sdk::HttpResponse>& result, std::size_t count,
                                            std::chrono::system_clock::time_point now) {
  if (!result) return std::vector<sdk::Outcome>(count, common::transportOutcome(result.error()));
  const auto& response = result.value();
  if (response.status >= 200 && response.status < 300) return entryOutcomes(response, count);

  rapidjson::Document body;
  body.Parse(response.body.data(), response.body.size());
  const std::string type = errorType(response, body);
  std::string message(member(body, "message"));
  if (message.empty()) message = member(body, "Message");
  const std::string detail =
      type.empty() ? common::bodyExcerpt(response.body) : type + (message.empty() ? "" : ": " + message);
  // The JSON protocols report throttling as HTTP 400.
  const bool retryable = type == "ThrottlingException" || common::isRetryableStatus(response.status);
  return std::vector<sdk::Outcome>(count, common::failureOf(response, retryable, detail, now));
}

}  // namespace ccm::sinks::eventbridge
