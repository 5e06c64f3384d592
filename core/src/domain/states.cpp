#include "domain/states.hpp"

#include <array>
#include <utility>

namespace ccm::core {
namespace {

// Session and worker states are spelled as the event catalog's type suffixes
// (ccm.lablet.session.<name>, ccm.worker.<name>); final states are upper case
// because the catalog's payloads carry them that way (final_state: "COMPLETED").
constexpr std::array<std::pair<SessionState, std::string_view>, 11> kSessionStates{{
    {SessionState::Pending, "pending"},
    {SessionState::Scheduled, "scheduled"},
    {SessionState::Instantiating, "instantiating"},
    {SessionState::Ready, "ready"},
    {SessionState::Running, "running"},
    {SessionState::Collecting, "collecting"},
    {SessionState::Grading, "grading"},
    {SessionState::Graded, "graded"},
    {SessionState::Stopping, "stopping"},
    {SessionState::Stopped, "stopped"},
    {SessionState::Terminated, "terminated"},
}};

constexpr std::array<std::pair<FinalState, std::string_view>, 4> kFinalStates{{
    {FinalState::Completed, "COMPLETED"},
    {FinalState::Cancelled, "CANCELLED"},
    {FinalState::Expired, "EXPIRED"},
    {FinalState::Faulted, "FAULTED"},
}};

constexpr std::array<std::pair<WorkerState, std::string_view>, 7> kWorkerStates{{
    {WorkerState::Pending, "pending"},
    {WorkerState::Provisioning, "provisioning"},
    {WorkerState::Running, "running"},
    {WorkerState::Draining, "draining"},
    {WorkerState::Stopping, "stopping"},
    {WorkerState::Stopped, "stopped"},
    {WorkerState::Terminated, "terminated"},
}};

constexpr std::array<std::pair<UserSessionState, std::string_view>, 3> kUserSessionStates{{
    {UserSessionState::Provisioned, "provisioned"},
    {UserSessionState::Active, "active"},
    {UserSessionState::Ended, "ended"},
}};

constexpr std::array<std::pair<GradingSessionState, std::string_view>, 3> kGradingSessionStates{{
    {GradingSessionState::Pending, "pending"},
    {GradingSessionState::Submitted, "submitted"},
    {GradingSessionState::Faulted, "faulted"},
}};

template <class State, std::size_t N>
std::string_view nameOf(const std::array<std::pair<State, std::string_view>, N>& table, State state) {
  for (const auto& [value, name] : table) {
    if (value == state) return name;
  }
  return "unknown";  // unreachable while every enumerator has a row
}

template <class State, std::size_t N>
std::optional<State> stateNamed(const std::array<std::pair<State, std::string_view>, N>& table, std::string_view name) {
  for (const auto& [value, spelling] : table) {
    if (spelling == name) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view toString(SessionState state) {
  return nameOf(kSessionStates, state);
}
std::string_view toString(FinalState state) {
  return nameOf(kFinalStates, state);
}
std::string_view toString(WorkerState state) {
  return nameOf(kWorkerStates, state);
}
std::string_view toString(UserSessionState state) {
  return nameOf(kUserSessionStates, state);
}
std::string_view toString(GradingSessionState state) {
  return nameOf(kGradingSessionStates, state);
}

std::optional<SessionState> sessionStateFrom(std::string_view name) {
  return stateNamed(kSessionStates, name);
}
std::optional<FinalState> finalStateFrom(std::string_view name) {
  return stateNamed(kFinalStates, name);
}
std::optional<WorkerState> workerStateFrom(std::string_view name) {
  return stateNamed(kWorkerStates, name);
}
std::optional<UserSessionState> userSessionStateFrom(std::string_view name) {
  return stateNamed(kUserSessionStates, name);
}
std::optional<GradingSessionState> gradingSessionStateFrom(std::string_view name) {
  return stateNamed(kGradingSessionStates, name);
}

}  // namespace ccm::core
