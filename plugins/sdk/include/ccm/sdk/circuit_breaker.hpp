#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace ccm::sdk {

struct CircuitBreakerPolicy {
  int failure_threshold = 5;                  // consecutive failures that open the circuit
  std::chrono::milliseconds open_for{30000};  // how long it then refuses calls
};

// Stops calling something that keeps failing. Closed: calls pass. After
// `failure_threshold` failures in a row it opens and refuses calls for
// `open_for`. Then it admits one trial call at a time (half-open): the
// trial's success closes it, its failure opens it again. Every admitted call
// must be reported through recordSuccess or recordFailure, or a trial would
// never end. Time comes from the caller, on the steady clock so that a step
// of the wall clock neither holds a circuit open nor ends it early.
// Thread-safe.
class CircuitBreaker {
public:
  enum class State { Closed, Open, HalfOpen };
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  explicit CircuitBreaker(CircuitBreakerPolicy policy);

  // std::nullopt if a call may go ahead at `now`, else why not ("circuit open
  // after 3 consecutive failed calls; calls fail fast for another 600 ms").
  // The first call admitted once `open_for` has passed is the trial.
  std::optional<std::string> admit(TimePoint now);
  // admit(now) without the reason.
  bool allows(TimePoint now);
  // True while a trial is out: the caller keeps it small (one event, one request).
  bool probing() const;
  void recordSuccess();
  // True when this failure opened a closed circuit.
  bool recordFailure(TimePoint now);

  // The state as the last admit or record left it: an open circuit turns
  // half-open when it admits its trial, not when `open_for` ends.
  State state() const;
  // The state a call at `now` finds: open until `open_for` has passed, then
  // half-open.
  State state(TimePoint now) const;
  // When an open circuit admits its trial.
  TimePoint reopensAt() const;

private:
  enum class Admission { Admitted, Open, TrialInProgress };
  Admission admitLocked(TimePoint now);

  const CircuitBreakerPolicy policy_;
  mutable std::mutex mutex_;
  State state_ = State::Closed;  // HalfOpen exactly while a trial is out
  int consecutive_failures_ = 0;
  TimePoint opened_at_{};
};

// "closed", "open", "half_open": the names the gateway's sink status uses.
const char* toString(CircuitBreaker::State state);

}  // namespace ccm::sdk
