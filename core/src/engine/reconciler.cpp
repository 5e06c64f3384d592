// The engine's reconciliation pass (Lifecycle::reconcile): session TTL,
// auto-stop after grading, and expiry of remembered ingress ids. It reads everything from the store, so a restart
// loses nothing; each session is handled in its own transaction, and a session
// another command changed meanwhile simply fails its transition and is
// reconsidered on the next pass.
#include "engine/lifecycle.hpp"

namespace ccm::core {

int Lifecycle::reconcile() {
  int changed = 0;
  const std::string now = nowText();
  auto select = [this](SessionFilter filter) {
    filter.limit = 500;
    auto tx = store_.begin();
    return tx->listSessions(filter);
  };

  SessionFilter expired;
  expired.states = {SessionState::Pending, SessionState::Scheduled, SessionState::Instantiating,
                    SessionState::Ready,   SessionState::Running,   SessionState::Collecting,
                    SessionState::Grading};
  expired.expires_before = now;
  for (const auto& session : select(expired)) {
    if (stopSession(session.id, FinalState::Expired, "session exceeded its maximum duration")) ++changed;
  }

  SessionFilter graded;
  graded.states = {SessionState::Graded};
  for (const auto& session : select(graded)) {
    if (stopSession(session.id, FinalState::Completed)) ++changed;
  }

  // Sessions the engine itself stopped (completed or expired) are wound down
  // to terminated; cancelled and faulted ones wait for the operator's
  // stopped/terminate calls, which confirm the lab was really torn down.
  SessionFilter stopping;
  stopping.states = {SessionState::Stopping, SessionState::Stopped};
  for (const auto& session : select(stopping)) {
    if (session.final_state != FinalState::Completed && session.final_state != FinalState::Expired) continue;
    if (session.state == SessionState::Stopping && markStopped(session.id)) ++changed;
    if (terminateSession(session.id)) ++changed;
  }
  return changed;
}

}  // namespace ccm::core
