#include "delivery/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace ccm::core {

std::chrono::milliseconds retryDelay(const DeliverySettings& settings, int attempts,
                                     std::optional<std::chrono::milliseconds> retry_after, std::mt19937_64& random) {
  const double exponent = std::max(0, attempts - 1);
  const double ceiling = std::min(static_cast<double>(settings.max_backoff.count()),
                                  settings.initial_backoff.count() * std::pow(settings.backoff_multiplier, exponent));
  std::uniform_real_distribution<double> jitter(0.0, std::max(0.0, ceiling));
  auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(jitter(random)));
  if (retry_after && *retry_after > delay) delay = *retry_after;
  return delay;
}

bool CircuitBreaker::allows(Clock::time_point now) {
  switch (state_) {
    case State::Closed:
      return true;
    case State::Open:
      if (now < reopensAt()) return false;
      state_ = State::HalfOpen;
      probe_in_flight_ = false;
      [[fallthrough]];
    case State::HalfOpen:
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::recordSuccess() {
  state_ = State::Closed;
  consecutive_failures_ = 0;
  probe_in_flight_ = false;
}

void CircuitBreaker::recordFailure(Clock::time_point now) {
  ++consecutive_failures_;
  probe_in_flight_ = false;
  if (state_ == State::HalfOpen || consecutive_failures_ >= threshold_) {
    state_ = State::Open;
    opened_at_ = now;
  }
}

const char* toString(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::Closed: return "closed";
    case CircuitBreaker::State::Open: return "open";
    case CircuitBreaker::State::HalfOpen: return "half_open";
  }
  return "unknown";
}

}  // namespace ccm::core
