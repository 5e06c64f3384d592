#include "ccm/sdk/circuit_breaker.hpp"

namespace ccm::sdk {

CircuitBreaker::CircuitBreaker(CircuitBreakerPolicy policy) : policy_(policy) {}

CircuitBreaker::Admission CircuitBreaker::admitLocked(TimePoint now) {
  switch (state_) {
    case State::Closed:
      return Admission::Admitted;
    case State::Open:
      if (now < opened_at_ + policy_.open_for) return Admission::Open;
      state_ = State::HalfOpen;
      return Admission::Admitted;
    case State::HalfOpen:
      return Admission::TrialInProgress;
  }
  return Admission::Open;
}

std::optional<std::string> CircuitBreaker::admit(TimePoint now) {
  std::lock_guard lock(mutex_);
  switch (admitLocked(now)) {
    case Admission::Admitted:
      return std::nullopt;
    case Admission::TrialInProgress:
      return "circuit half-open: a trial call is in progress";
    case Admission::Open:
      break;
  }
  const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(opened_at_ + policy_.open_for - now);
  return "circuit open after " + std::to_string(consecutive_failures_) +
         " consecutive failed calls; calls fail fast for another " + std::to_string(remaining.count()) + " ms";
}

bool CircuitBreaker::allows(TimePoint now) {
  std::lock_guard lock(mutex_);
  return admitLocked(now) == Admission::Admitted;
}

bool CircuitBreaker::probing() const {
  std::lock_guard lock(mutex_);
  return state_ == State::HalfOpen;
}

void CircuitBreaker::recordSuccess() {
  std::lock_guard lock(mutex_);
  state_ = State::Closed;
  consecutive_failures_ = 0;
}

bool CircuitBreaker::recordFailure(TimePoint now) {
  std::lock_guard lock(mutex_);
  ++consecutive_failures_;
  const bool was_closed = state_ == State::Closed;
  // A failed trial opens the circuit again at once; otherwise the threshold decides.
  if (state_ == State::HalfOpen || consecutive_failures_ >= policy_.failure_threshold) {
    state_ = State::Open;
    opened_at_ = now;
  }
  return was_closed && state_ == State::Open;
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

CircuitBreaker::State CircuitBreaker::state(TimePoint now) const {
  std::lock_guard lock(mutex_);
  if (state_ == State::Open && now >= opened_at_ + policy_.open_for) return State::HalfOpen;
  return state_;
}

CircuitBreaker::TimePoint CircuitBreaker::reopensAt() const {
  std::lock_guard lock(mutex_);
  return opened_at_ + policy_.open_for;
}

const char* toString(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::Closed: return "closed";
    case CircuitBreaker::State::Open: return "open";
    case CircuitBreaker::State::HalfOpen: return "half_open";
  }
  return "unknown";
}

}  // namespace ccm::sdk
