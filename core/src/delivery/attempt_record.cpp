#include "delivery/attempt_record.hpp"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include "ccm/sdk/text.hpp"

namespace ccm::core {

std::string_view outcomeName(sdk::Outcome::Kind kind) {
  switch (kind) {
    case sdk::Outcome::Kind::Delivered:
      return "delivered";
    case sdk::Outcome::Kind::Retryable:
      return "retryable";
    case sdk::Outcome::Kind::Permanent:
      return "permanent";
  }
  return "permanent";
}

std::string attemptTime(std::chrono::system_clock::time_point time) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  return Poco::DateTimeFormatter::format(Poco::Timestamp(micros), "%Y-%m-%dT%H:%M:%S.%FZ");
}

DeliveryAttempt attemptRecord(const std::string& sink, std::int64_t sequence, int attempt, bool replay,
                              const sdk::Outcome& outcome, const std::string& attempted_at, const CallTiming& timing) {
  DeliveryAttempt row;
  row.sink = sink;
  row.sequence = sequence;
  row.attempt = attempt;
  row.replay = replay;
  row.attempted_at = attempted_at;
  row.outcome = std::string(outcomeName(outcome.kind));
  row.http_status = outcome.http_status;
  row.error = std::string(sdk::utf8Prefix(outcome.message, kMaxAttemptErrorBytes));
  row.latency_us = timing.latency.count();
  return row;
}

}  // namespace ccm::core
