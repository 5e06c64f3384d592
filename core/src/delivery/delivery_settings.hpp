#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "cesql/filter.hpp"
#include "config/glob.hpp"
#include "delivery/rate_limiter.hpp"

namespace ccm::core {

// Which events a sink receives. Empty lists match everything; type and
// source entries are globs ('*' matches any run of characters). With a CESQL
// expression too, an event must match the lists and the expression.
struct SinkFilter {
  std::vector<std::string> types;
  std::vector<std::string> subjects;
  std::vector<std::string> sources;
  std::optional<cesql::Filter> cesql{};

  bool matches(const sdk::CloudEvent& event) const;
};

// A sink's delivery policy: the "delivery" object of its config entry.
struct DeliverySettings {
  SinkFilter filter;
  std::size_t batch_size = 100;
  std::chrono::milliseconds linger{0};
  std::size_t concurrency = 1;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{60000};
  double backoff_multiplier = 2.0;
  int max_attempts = 12;
  std::chrono::seconds max_age{24 * 3600};
  int breaker_failure_threshold = 5;
  std::chrono::milliseconds breaker_open{30000};
  bool start_from_beginning = true;  // a sink seen for the first time: whole log, or only new events
  std::optional<RateLimiter::Settings> rate_limit;  // none: as fast as the sink takes them
  std::chrono::seconds pause_after{0};  // failing this long without a success pauses the sink; 0: never
};

// Reads a "filter" JSON object (the shape of delivery.filter: types,
// subjects, sources, cesql); a filter.cesql that does not compile throws
// std::invalid_argument naming the position.
SinkFilter sinkFilterFromJson(const std::string& json);

// Reads a "delivery" JSON object (already validated against the config
// schema, its filter.cesql compiled by the config loader); "{}" gives the
// defaults. A filter.cesql that does not compile breaks that promise and
// throws std::invalid_argument.
DeliverySettings deliverySettingsFromJson(const std::string& json);

}  // namespace ccm::core
