#include "engine/scheduling.hpp"

#include <string>

namespace ccm::core {

std::optional<sdk::Error> checkSchedulable(const LabletSession& session, const Worker& worker,
                                           std::size_t live_sessions_on_worker) {
  const auto quoted = [](auto state) { return "\"" + std::string(toString(state)) + "\""; };

  if (session.state != SessionState::Pending) {
    return sdk::Error{"state", "session " + session.id + " is " + quoted(session.state) +
                                   "; only a \"pending\" session can be scheduled"};
  }
  // Draining is checked on its own so the reason says why a worker that is
  // up refuses: it is on its way out (ccm.worker.draining) and takes no new
  // sessions.
  if (worker.state == WorkerState::Draining) {
    return sdk::Error{"worker_id", "worker " + worker.id + " is \"draining\" and takes no new sessions"};
  }
  if (worker.state != WorkerState::Running) {
    return sdk::Error{"worker_id", "worker " + worker.id + " is " + quoted(worker.state) +
                                       "; sessions are scheduled only on a \"running\" worker"};
  }
  const std::size_t capacity = worker.capacity > 0 ? static_cast<std::size_t>(worker.capacity) : 0;
  if (live_sessions_on_worker >= capacity) {
    return sdk::Error{"worker_id", "worker " + worker.id +
                                       " (\"running\") is at capacity: " + std::to_string(live_sessions_on_worker) +
                                       " live sessions of " + std::to_string(worker.capacity)};
  }
  return std::nullopt;
}

}  // namespace ccm::core
