#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/result.hpp"
#include "domain/aggregates.hpp"
#include "domain/states.hpp"

// The LabletSession state machine (ADR-003, 2026-02-18) as one pure transition
// table. No I/O: the caller supplies the clock, stores the result and emits the
// event.
namespace ccm::core {

// The states a session may move to from `from`, in lifecycle order; empty for
// terminated.
std::vector<SessionState> allowedNext(SessionState from);

// pending..graded: the states a session can be stopped (cancelled, expired or
// faulted) from. stopping and later are teardown, not live.
bool isLive(SessionState state);

// Returns `session` moved to `to` with updated_at = now, or an Error (where =
// "state") naming the session, its state and the allowed ones when the table
// has no such edge.
//
// final_state is recorded when entering stopping and only then (where =
// "final_state" otherwise): COMPLETED by default from graded and only from
// graded, CANCELLED by default from every other live state; EXPIRED and
// FAULTED when given. stopped and terminated keep it. Entering stopped
// releases the session's ports (ADR-004: "released on stop").
sdk::Result<LabletSession> applyTransition(const LabletSession& session, SessionState to,
                                           std::optional<FinalState> final_state, const std::string& now);

}  // namespace ccm::core
