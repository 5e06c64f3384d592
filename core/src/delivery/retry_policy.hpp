#pragma once

#include <chrono>
#include <optional>
#include <random>

#include "delivery/delivery_settings.hpp"

namespace ccm::core {

// How long to wait before attempt `attempts + 1`: exponential backoff with
// full jitter (uniform in [0, min(max, initial * multiplier^(attempts-1))]),
// but never less than the receiver's Retry-After.
std::chrono::milliseconds retryDelay(const DeliverySettings& settings, int attempts,
                                     std::optional<std::chrono::milliseconds> retry_after, std::mt19937_64& random);

// A sink's circuit breaker: after `threshold` consecutive failed batches it
// opens for `open_for`, then lets one probe batch through (half-open); the
// probe's success closes it, its failure opens it again. Not thread-safe.
class CircuitBreaker {
public:
  enum class State { Closed, Open, HalfOpen };
  using Clock = std::chrono::steady_clock;

  CircuitBreaker(int threshold, std::chrono::milliseconds open_for) : threshold_(threshold), open_for_(open_for) {}

  // Whether a batch may be sent now; in half-open, only one at a time.
  bool allows(Clock::time_point now);
  // The largest batch allowed now (1 while probing).
  bool probing() const { return state_ == State::HalfOpen; }
  void recordSuccess();
  void recordFailure(Clock::time_point now);
  State state() const { return state_; }
  // When an open breaker lets the next probe through.
  Clock::time_point reopensAt() const { return opened_at_ + open_for_; }

private:
  int threshold_;
  std::chrono::milliseconds open_for_;
  State state_ = State::Closed;
  int consecutive_failures_ = 0;
  bool probe_in_flight_ = false;
  Clock::time_point opened_at_{};
};

const char* toString(CircuitBreaker::State state);

}  // namespace ccm::core
