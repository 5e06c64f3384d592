// Grading outcomes the grading engine reports that the main session commands
// (session_commands.cpp) do not cover.
#include "engine/lifecycle.hpp"
#include "engine/unit_of_work.hpp"

namespace ccm::core {

Expected<LabletSession> Lifecycle::failGrading(const std::string& session_id, const std::string& reason) {
  return inTransaction<LabletSession>(std::nullopt,
                                      [&](UnitOfWork& uow) { return failGrading(uow, session_id, reason); });
}

Expected<LabletSession> Lifecycle::failGrading(UnitOfWork& uow, const std::string& session_id,
                                               const std::string& reason) {
  auto stopped = moveSession(uow, session_id, SessionState::Stopping, FinalState::Faulted,
                             [&](LabletSession& s) { s.error = reason; });
  if (!stopped) return stopped;
  if (auto grading = uow.tx().findGradingSession(stopped.value().grading_session_id)) {
    grading->state = GradingSessionState::Faulted;
    grading->error = reason;
    grading->updated_at = uow.now();
    uow.tx().saveGradingSession(*grading);
  }
  return stopped;
}

}  // namespace ccm::core
