#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

namespace ccm::core {

// A sink's delivery.rate_limit: a token bucket of `burst` events, refilled
// at `events_per_second`. Events over the rate wait; they never fail. Not
// thread-safe (one dispatcher loop owns it).
class RateLimiter {
public:
  using Clock = std::chrono::steady_clock;

  struct Settings {
    double events_per_second = 0;
    std::size_t burst = 1;
  };

  // Starts full, so a sink sends a burst at once after a start.
  RateLimiter(Settings settings, Clock::time_point now);

  // Whole events that may go now.
  std::size_t available(Clock::time_point now);
  // Spends `events` of what is available.
  void take(std::size_t events);
  // When the next whole event becomes available (now if one is).
  Clock::time_point nextAvailableAt(Clock::time_point now) const;

private:
  double tokensAt(Clock::time_point now) const;

  Settings settings_;
  double tokens_;
  Clock::time_point refilled_at_;
};

}  // namespace ccm::core
