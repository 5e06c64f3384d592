#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "ccm/sdk/sink.hpp"
#include "store/store.hpp"

// The attempt log's rows (docs/delivery.md#attempt-log), built by the
// dispatcher from a sink's outcomes. Pure functions.
namespace ccm::core {

// One deliver() call as the dispatcher timed it; every event of the batch
// shares it (a sink answers for the batch in one call).
struct CallTiming {
  std::chrono::system_clock::time_point started_at{};
  std::chrono::microseconds latency{0};
};

// At most this many bytes of an outcome's message are kept per attempt.
inline constexpr std::size_t kMaxAttemptErrorBytes = 1024;

// "delivered", "retryable" or "permanent".
std::string_view outcomeName(sdk::Outcome::Kind kind);

// The time an attempt is stored with: RFC 3339 UTC with microseconds, so that
// two attempts of one event never share a time and text order is time order.
std::string attemptTime(std::chrono::system_clock::time_point time);

// The row for `outcome`, the result of the `attempt`-th try (the retry
// policy's count, from 1) to deliver `sequence` to `sink`; the message is cut
// to kMaxAttemptErrorBytes at a UTF-8 character boundary.
DeliveryAttempt attemptRecord(const std::string& sink, std::int64_t sequence, int attempt, bool replay,
                              const sdk::Outcome& outcome, const std::string& attempted_at, const CallTiming& timing);

}  // namespace ccm::core
