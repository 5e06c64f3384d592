#include "delivery/delivery_settings.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ccm::core {
namespace {

std::vector<std::string> strings(const rapidjson::Value& object, const char* name) {
  std::vector<std::string> out;
  if (auto it = object.FindMember(name); it != object.MemberEnd() && it->value.IsArray()) {
    for (const auto& item : it->value.GetArray()) out.emplace_back(item.GetString());
  }
  return out;
}

std::int64_t integer(const rapidjson::Value& object, const char* name, std::int64_t fallback) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : fallback;
}

bool anyGlobMatches(const std::vector<std::string>& globs, std::string_view text) {
  if (globs.empty()) return true;
  for (const auto& glob : globs) {
    if (globMatches(glob, text)) return true;
  }
  return false;
}

SinkFilter sinkFilterFrom(const rapidjson::Value& object) {
  SinkFilter filter;
  filter.types = strings(object, "types");
  filter.subjects = strings(object, "subjects");
  filter.sources = strings(object, "sources");
  if (auto cesql = object.FindMember("cesql"); cesql != object.MemberEnd() && cesql->value.IsString()) {
    auto compiled = cesql::Filter::compile({cesql->value.GetString(), cesql->value.GetStringLength()});
    if (!compiled) throw std::invalid_argument("filter.cesql: " + compiled.error().describe());
    filter.cesql = std::move(compiled.value());
  }
  return filter;
}

}  // namespace

SinkFilter sinkFilterFromJson(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.c_str(), json.size());
  if (!doc.IsObject()) throw std::invalid_argument("filter: not a JSON object");
  return sinkFilterFrom(doc);
}

bool SinkFilter::matches(const sdk::CloudEvent& event) const {
  if (!anyGlobMatches(types, event.type)) return false;
  if (!anyGlobMatches(sources, event.source)) return false;
  if (!subjects.empty()) {
    if (!event.subject) return false;
    bool found = false;
    for (const auto& subject : subjects) found = found || subject == *event.subject;
    if (!found) return false;
  }
  // The globs first: they are cheaper, and most events they refuse.
  return !cesql || cesql->matches(event);
}

DeliverySettings deliverySettingsFromJson(const std::string& json) {
  DeliverySettings settings;
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  if (!doc.IsObject()) return settings;
  if (auto it = doc.FindMember("filter"); it != doc.MemberEnd() && it->value.IsObject()) {
    try {
      settings.filter = sinkFilterFrom(it->value);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("delivery.") + e.what());
    }
  }
  settings.batch_size = static_cast<std::size_t>(integer(doc, "batch_size", static_cast<std::int64_t>(settings.batch_size)));
  settings.linger = std::chrono::milliseconds(integer(doc, "linger_ms", settings.linger.count()));
  settings.concurrency = static_cast<std::size_t>(integer(doc, "concurrency", static_cast<std::int64_t>(settings.concurrency)));
  if (auto it = doc.FindMember("retry"); it != doc.MemberEnd() && it->value.IsObject()) {
    const auto& retry = it->value;
    settings.initial_backoff = std::chrono::milliseconds(integer(retry, "initial_backoff_ms", settings.initial_backoff.count()));
    settings.max_backoff = std::chrono::milliseconds(integer(retry, "max_backoff_ms", settings.max_backoff.count()));
    if (auto m = retry.FindMember("multiplier"); m != retry.MemberEnd() && m->value.IsNumber()) {
      settings.backoff_multiplier = m->value.GetDouble();
    }
    settings.max_attempts = static_cast<int>(integer(retry, "max_attempts", settings.max_attempts));
    settings.max_age = std::chrono::seconds(integer(retry, "max_age_seconds", settings.max_age.count()));
  }
  if (auto it = doc.FindMember("circuit_breaker"); it != doc.MemberEnd() && it->value.IsObject()) {
    settings.breaker_failure_threshold =
        static_cast<int>(integer(it->value, "failure_threshold", settings.breaker_failure_threshold));
    settings.breaker_open = std::chrono::milliseconds(integer(it->value, "open_ms", settings.breaker_open.count()));
  }
  if (auto it = doc.FindMember("rate_limit"); it != doc.MemberEnd() && it->value.IsObject()) {
    RateLimiter::Settings rate;
    if (auto r = it->value.FindMember("events_per_second"); r != it->value.MemberEnd() && r->value.IsNumber()) {
      rate.events_per_second = r->value.GetDouble();
    }
    // Default burst: one second's worth, at least one event.
    const auto second = static_cast<std::int64_t>(std::ceil(rate.events_per_second));
    rate.burst = static_cast<std::size_t>(integer(it->value, "burst", std::max<std::int64_t>(1, second)));
    settings.rate_limit = rate;
  }
  settings.pause_after = std::chrono::seconds(integer(doc, "pause_after_seconds", settings.pause_after.count()));
  if (auto it = doc.FindMember("start_from"); it != doc.MemberEnd() && it->value.IsString()) {
    settings.start_from_beginning = std::string(it->value.GetString()) != "end";
  }
  return settings;
}

}  // namespace ccm::core
