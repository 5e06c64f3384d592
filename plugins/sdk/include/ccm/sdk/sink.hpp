#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"

namespace ccm::sdk {

// What became of one event handed to a sink. The dispatcher owns retries,
// backoff, circuit breaking and dead-lettering; a sink never retries itself.
struct Outcome {
  enum class Kind { Delivered, Retryable, Permanent };

  Kind kind = Kind::Delivered;
  std::string message;  // why it failed, e.g. the receiver's error text
  std::optional<std::chrono::milliseconds> retry_after;  // Retryable only
  // The receiver's HTTP status, for HTTP-based sinks (shown in the attempt log).
  std::optional<int> http_status;

  static Outcome delivered() { return {}; }
  static Outcome retryable(std::string message,
                           std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
    return {Kind::Retryable, std::move(message), retry_after, std::nullopt};
  }
  static Outcome permanent(std::string message) { return {Kind::Permanent, std::move(message), {}, std::nullopt}; }
  // The same outcome, naming the HTTP status it came from.
  Outcome withHttpStatus(int status) && {
    http_status = status;
    return std::move(*this);
  }
};

// Delivers events to one destination.
class Sink {
public:
  virtual ~Sink() = default;
  // Returns exactly one outcome per event, in batch order. Must not throw.
  // Called concurrently when the sink's configured concurrency is above 1.
  virtual std::vector<Outcome> deliver(const std::vector<CloudEvent>& batch) = 0;
  // The most events deliver() accepts in one call; 0 means no limit.
  virtual std::size_t maxBatchSize() const { return 0; }
};

}  // namespace ccm::sdk
