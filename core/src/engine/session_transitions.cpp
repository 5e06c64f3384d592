#include "engine/session_transitions.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace ccm::core {
namespace {

struct SessionEdge {
  SessionState from;
  SessionState to;
};

using S = SessionState;

// The whole machine. The main line is ADR-003's lifecycle; every live state
// may also go to stopping (cancellation, TTL expiry, fault), and the teardown
// tail stopping -> stopped -> terminated has no way back. Order within one
// `from` is the order allowedNext reports.
constexpr std::array kSessionEdges{
    SessionEdge{S::Pending, S::Scheduled},       SessionEdge{S::Pending, S::Stopping},
    SessionEdge{S::Scheduled, S::Instantiating}, SessionEdge{S::Scheduled, S::Stopping},
    SessionEdge{S::Instantiating, S::Ready},     SessionEdge{S::Instantiating, S::Stopping},
    SessionEdge{S::Ready, S::Running},           SessionEdge{S::Ready, S::Stopping},
    SessionEdge{S::Running, S::Collecting},      SessionEdge{S::Running, S::Stopping},
    SessionEdge{S::Collecting, S::Grading},      SessionEdge{S::Collecting, S::Stopping},
    SessionEdge{S::Grading, S::Graded},          SessionEdge{S::Grading, S::Stopping},
    SessionEdge{S::Graded, S::Stopping},         SessionEdge{S::Stopping, S::Stopped},
    SessionEdge{S::Stopped, S::Terminated},
};

// The 409 body: the session, where it is, where it asked to go and where it
// could have gone, so an operator needs no second look-up.
sdk::Error illegalTransition(const LabletSession& session, SessionState to, const std::vector<SessionState>& allowed) {
  const std::string from = "\"" + std::string(toString(session.state)) + "\"";
  std::string message = "session " + session.id + ": cannot go from " + from + " to \"" + std::string(toString(to)) +
                        "\" (allowed from " + from + ": ";
  if (allowed.empty()) message += "none";
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    message += (i > 0 ? ", \"" : "\"") + std::string(toString(allowed[i])) + "\"";
  }
  return sdk::Error{"state", message + ")"};
}

sdk::Error finalStateError(const LabletSession& session, std::string detail) {
  return sdk::Error{"final_state", "session " + session.id + ": " + std::move(detail)};
}

}  // namespace

std::vector<SessionState> allowedNext(SessionState from) {
  std::vector<SessionState> next;
  for (const auto& edge : kSessionEdges) {
    if (edge.from == from) next.push_back(edge.to);
  }
  return next;
}

bool isLive(SessionState state) {
  switch (state) {
    case S::Stopping:
    case S::Stopped:
    case S::Terminated:
      return false;
    default:
      return true;
  }
}

sdk::Result<LabletSession> applyTransition(const LabletSession& session, SessionState to,
                                           std::optional<FinalState> final_state, const std::string& now) {
  const auto allowed = allowedNext(session.state);
  if (std::find(allowed.begin(), allowed.end(), to) == allowed.end()) {
    return illegalTransition(session, to, allowed);
  }

  LabletSession next = session;
  if (to == S::Stopping) {
    // final_state is "required" once stopping: an unnamed stop after graded is
    // the normal end, anywhere else it is the user's cancellation.
    const bool from_graded = session.state == S::Graded;
    const FinalState chosen = final_state.value_or(from_graded ? FinalState::Completed : FinalState::Cancelled);
    if (chosen == FinalState::Completed && !from_graded) {
      return finalStateError(session, "final_state \"COMPLETED\" needs a graded session, it is \"" +
                                          std::string(toString(session.state)) + "\"");
    }
    next.final_state = chosen;
  } else if (final_state) {
    // Recorded once, on entering stopping; a later value would rewrite why the
    // session ended after ccm.lablet.session.stopping already said it.
    return finalStateError(
        session, "final_state is recorded when entering \"stopping\", not \"" + std::string(toString(to)) + "\"");
  }
  if (to == S::Stopped) next.allocated_ports.clear();  // ADR-004: ports are released on stop
  next.state = to;
  next.updated_at = now;
  return next;
}

}  // namespace ccm::core
