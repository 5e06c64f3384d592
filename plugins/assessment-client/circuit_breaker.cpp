#include "circuit_breaker.hpp"

namespace ccm::plugins::assessment_client {

CircuitBreaker::CircuitBreaker(BreakerPolicy policy) : policy_(policy) {}

std::optional<std::string> CircuitBreaker::admit(TimePoint now) {
  std::lock_guard lock(mutex_);
  switch (stateLocked(now)) {
    case State::Closed:
      return std::nullopt;
    case State::HalfOpen:
      if (!trial_in_flight_) {
        trial_in_flight_ = true;
        return std::nullopt;
      }
      return "circuit half-open: a trial call is in progress";
    case State::Open:
      break;
  }
  const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(opened_at_ + policy_.open_for - now);
  return "circuit open after " + std::to_string(consecutive_failures_) +
         " consecutive failed calls; calls fail fast for another " + std::to_string(remaining.count()) + " ms";
}

void CircuitBreaker::recordSuccess() {
  std::lock_guard lock(mutex_);
  consecutive_failures_ = 0;
  open_ = false;
  trial_in_flight_ = false;
}

bool CircuitBreaker::recordFailure(TimePoint now) {
  std::lock_guard lock(mutex_);
  ++consecutive_failures_;
  const bool was_open = open_;
  // A failed trial reopens at once; otherwise the threshold decides.
  if (trial_in_flight_ || consecutive_failures_ >= policy_.failure_threshold) {
    open_ = true;
    opened_at_ = now;
  }
  trial_in_flight_ = false;
  return open_ && !was_open;
}

CircuitBreaker::State CircuitBreaker::state(TimePoint now) const {
  std::lock_guard lock(mutex_);
  return stateLocked(now);
}

CircuitBreaker::State CircuitBreaker::stateLocked(TimePoint now) const {
  if (!open_) return State::Closed;
  return now < opened_at_ + policy_.open_for ? State::Open : State::HalfOpen;
}

}  // namespace ccm::plugins::assessment_client
