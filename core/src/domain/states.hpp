#pragma once

#include <optional>
#include <string_view>

namespace ccm::core {

// LabletSession lifecycle (ADR-003, 2026-02-18 catalog). The names are the
// catalog's strings: ccm.lablet.session.<name>.
enum class SessionState {
  Pending,
  Scheduled,
  Instantiating,
  Ready,
  Running,
  Collecting,
  Grading,
  Graded,
  Stopping,
  Stopped,
  Terminated,
};

// Why a session ended; recorded when it starts stopping and carried by
// ccm.lablet.session.terminated as final_state.
enum class FinalState { Completed, Cancelled, Expired, Faulted };

// Worker lifecycle (Phase 4 plan, task 4.3): ccm.worker.<event>.
enum class WorkerState { Pending, Provisioning, Running, Draining, Stopping, Stopped, Terminated };

// The user's sign-in to a session and the grading engine's session for it.
enum class UserSessionState { Provisioned, Active, Ended };
enum class GradingSessionState { Pending, Submitted, Faulted };

std::string_view toString(SessionState state);
std::string_view toString(FinalState state);
std::string_view toString(WorkerState state);
std::string_view toString(UserSessionState state);
std::string_view toString(GradingSessionState state);
std::optional<SessionState> sessionStateFrom(std::string_view name);
std::optional<FinalState> finalStateFrom(std::string_view name);
std::optional<WorkerState> workerStateFrom(std::string_view name);
std::optional<UserSessionState> userSessionStateFrom(std::string_view name);
std::optional<GradingSessionState> gradingSessionStateFrom(std::string_view name);

}  // namespace ccm::core
