#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "client_config.hpp"

namespace ccm::plugins::assessment_client {

// Seed 002 risks table: "Assessment Platform unavailable -> retry logic,
// circuit breaker". Closed: calls pass. After `failure_threshold` failed
// calls in a row it opens: calls fail fast for `open_for`. Then it is
// half-open: one trial call passes; its success closes the circuit, its
// failure opens it again. Time comes from the caller. Thread-safe.
class CircuitBreaker {
public:
  using TimePoint = std::chrono::system_clock::time_point;
  enum class State { Closed, Open, HalfOpen };

  explicit CircuitBreaker(BreakerPolicy policy);

  // nullopt if a call may go ahead now (it must then report back through
  // recordSuccess or recordFailure), else why it may not.
  std::optional<std::string> admit(TimePoint now);
  void recordSuccess();
  // True when this failure opened the circuit.
  bool recordFailure(TimePoint now);
  State state(TimePoint now) const;

private:
  State stateLocked(TimePoint now) const;

  const BreakerPolicy policy_;
  mutable std::mutex mutex_;
  int consecutive_failures_ = 0;
  bool open_ = false;
  TimePoint opened_at_{};
  bool trial_in_flight_ = false;
};

}  // namespace ccm::plugins::assessment_client
