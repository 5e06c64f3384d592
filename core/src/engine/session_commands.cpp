// LabletSession commands of the Lifecycle engine: each moves one session
// through the state machine (session_transitions.hpp) and records the
// resulting events in the same transaction.
#include <chrono>
#include <set>

#include "ccm/sdk/smart_annotations.hpp"
#include "ccm/sdk/time.hpp"
#include "engine/event_payloads.hpp"
#include "engine/lifecycle.hpp"
#include "engine/port_allocator.hpp"
#include "engine/scheduling.hpp"
#include "engine/session_transitions.hpp"
#include "engine/unit_of_work.hpp"

namespace ccm::core {
namespace {

// Sessions that hold a worker's ports and capacity: the live ones, and the
// stopping ones whose lab is still being torn down (ports go on "stopped").
std::vector<SessionState> statesHoldingAWorker() {
  return {SessionState::Scheduled,  SessionState::Instantiating, SessionState::Ready,  SessionState::Running,
          SessionState::Collecting, SessionState::Grading,       SessionState::Graded, SessionState::Stopping};
}

}  // namespace

Expected<LabletSession> Lifecycle::moveSession(UnitOfWork& uow, const std::string& session_id, SessionState to,
                                               std::optional<FinalState> final_state,
                                               const std::function<void(LabletSession&)>& change,
                                               const ScoreReport* score_report) {
  auto session = uow.tx().findSession(session_id, true);
  if (!session) return Error::notFound("session " + session_id + " does not exist");
  const SessionState previous = session->state;
  auto moved = applyTransition(*session, to, final_state, uow.now());
  if (!moved) return Error::conflict(moved.error().message, moved.error().where);
  LabletSession& after = moved.value();
  if (change) change(after);
  uow.tx().saveSession(after);
  uow.record(sessionStateChanged(after, previous, uow.now(), score_report));
  return after;
}

Expected<LabletSession> Lifecycle::createSession(const SessionSpec& spec, const EventTrace& trace) {
  if (spec.definition_id.empty())
    return Error::invalid("definition_id must be a non-empty string", "definition_id");
  if (spec.owner_id.empty()) return Error::invalid("owner_id must be a non-empty string", "owner_id");
  return inTransaction<LabletSession>(trace, [&](UnitOfWork& uow) -> Expected<LabletSession> {
    auto definition = uow.tx().findDefinition(spec.definition_id);
    if (!definition) {
      return Error::unprocessable("definition " + spec.definition_id + " does not exist", "definition_id");
    }
    const auto ttl =
        definition->max_duration_seconds > 0 ? definition->max_duration_seconds : settings_.session_ttl_seconds;
    LabletSession session;
    session.id = new_id_();
    session.definition_id = definition->id;
    session.definition_version = definition->version;
    session.owner_id = spec.owner_id;
    session.created_at = session.updated_at = uow.now();
    session.expires_at = sdk::formatRfc3339(now_() + std::chrono::seconds(ttl));
    uow.tx().saveSession(session);
    uow.record(sessionStateChanged(session, std::nullopt, uow.now()));
    return session;
  });
}

Expected<LabletSession> Lifecycle::scheduleSession(const std::string& session_id, const std::string& worker_id,
                                                   const EventTrace& trace) {
  if (worker_id.empty()) return Error::invalid("worker_id must be a non-empty string", "worker_id");
  return inTransaction<LabletSession>(trace, [&](UnitOfWork& uow) -> Expected<LabletSession> {
    // Lock the worker first: every scheduling onto it serialises here, so the
    // capacity count and the free ports cannot change underneath us.
    auto worker = uow.tx().findWorker(worker_id, true);
    if (!worker) return Error::unprocessable("worker " + worker_id + " does not exist", "worker_id");
    auto session = uow.tx().findSession(session_id, true);
    if (!session) return Error::notFound("session " + session_id + " does not exist");

    SessionFilter on_worker;
    on_worker.worker_id = worker_id;
    on_worker.states = statesHoldingAWorker();
    on_worker.limit = 100000;
    const auto placed = uow.tx().listSessions(on_worker);
    if (auto refusal = checkSchedulable(*session, *worker, placed.size())) {
      return Error::conflict(refusal->message, refusal->where);
    }
    auto definition = uow.tx().findDefinition(session->definition_id);
    if (!definition) return Error::unprocessable("definition " + session->definition_id + " no longer exists");
    std::string lab_yaml = definition->lab_yaml;
    for (const auto& version : uow.tx().definitionVersions(definition->id)) {
      if (version.version == session->definition_version) lab_yaml = version.lab_yaml;
    }
    auto annotations = sdk::parseSmartAnnotations(lab_yaml);
    if (!annotations) return Error::unprocessable(annotations.error().message, "lab_yaml");
    std::set<std::uint16_t> in_use;
    for (const auto& other : placed) {
      for (const auto& [key, port] : other.allocated_ports) in_use.insert(port);
    }
    auto ports = allocatePorts(annotations.value(), *worker, in_use);
    if (!ports) return Error::conflict(ports.error().message, "worker_id");
    return moveSession(uow, session_id, SessionState::Scheduled, std::nullopt, [&](LabletSession& s) {
      s.worker_id = worker_id;
      s.allocated_ports = ports.value();
    });
  });
}

Expected<LabletSession> Lifecycle::instantiateSession(const std::string& session_id, const std::string& cml_lab_id,
                                                      const EventTrace& trace) {
  return inTransaction<LabletSession>(trace, [&](UnitOfWork& uow) {
    return moveSession(uow, session_id, SessionState::Instantiating, std::nullopt, [&](LabletSession& s) {
      if (!cml_lab_id.empty()) s.cml_lab_id = cml_lab_id;
    });
  });
}

Expected<LabletSession> Lifecycle::markReady(const std::string& session_id, const std::string& login_url,
                                             const EventTrace& trace) {
  return inTransaction<LabletSession>(trace, [&](UnitOfWork& uow) -> Expected<LabletSession> {
    UserSession user;
    user.id = new_id_();
    user.lablet_session_id = session_id;
    user.created_at = user.updated_at = uow.now();
    auto moved = moveSession(uow, session_id, SessionState::Ready, std::nullopt, [&](LabletSession& s) {
      s.login_url = login_url;
      s.user_session_id = user.id;
    });
    if (!moved) return moved;
    uow.tx().saveUserSession(user);
    uow.record(userSessionCreated(user, uow.now()));
    return moved;
  });
}

Expected<LabletSession> Lifecycle::markRunning(const std::string& session_id, const EventTrace& trace) {
  return inTransaction<LabletSession>(trace, [&](UnitOfWork& uow) { return markRunning(uow, session_id); });
}

Expected<LabletSession> Lifecycle::markRunning(UnitOfWork& uow, const std::string& session_id) {
  auto moved = moveSession(uow, session_id, SessionState::Running);
  if (!moved) return moved;
  if (auto user = uow.tx().findUserSession(moved.value().user_session_id)) {
    user->state = UserSessionState::Active;
    user->updated_at = uow.now();
    uow.tx().saveUserSession(*user);
  }
  return moved;
}

Expected<LabletSession> Lifecycle::startCollecting(const std::string& session_id, const EventTrace& trace) {
  return inTransaction<LabletSession>(trace, [&](UnitOfWork& uow) { return startCollecting(uow, session_id); });
}

Expected<LabletSession> Lifecycle::startCollecting(UnitOfWork& uow, const std::string& session_id) {
  GradingSession grading;
  grading.id = new_id_();
  grading.lablet_session_id = session_id;
  grading.created_at = grading.updated_at = uow.now();
  auto moved = moveSession(uow, session_id, SessionState::Collecting, std::nullopt,
                           [&](LabletSession& s) { s.grading_session_id = grading.id; });
  if (!moved) return moved;
  if (auto user = uow.tx().findUserSession(moved.value().user_session_id)) {
    user->state = UserSessionState::Ended;
    user->updated_at = uow.now();
    uow.tx().saveUserSession(*user);
  }
  uow.tx().saveGradingSession(grading);
  uow.record(gradingSessionCreated(grading, uow.now()));
  return moved;
}

Expected<LabletSession> Lifecycle::startGrading(const std::string& session_id, const EventTrace& trace) {
  return inTransaction<LabletSession>(trace, [&](UnitOfWork& uow) { return startGrading(uow, session_id); });
}

Expected<LabletSession> Lifecycle::startGrading(UnitOfWork& uow, const std::string& session_id) {
  return moveSession(uow, session_id, SessionState::Grading);
}

Expected<LabletSession> Lifecycle::recordScore(const std::string& session_id, double score, bool passed,
                                               const std::string& report_id, const EventTrace& trace) {
  return inTransaction<LabletSession>(
      trace, [&](UnitOfWork& uow) { return recordScore(uow, session_id, score, passed, report_id); });
}

Expected<LabletSession> Lifecycle::recordScore(UnitOfWork& uow, const std::string& session_id, double score,
                                               bool passed, const std::string& report_id) {
  auto session = uow.tx().findSession(session_id, true);
  if (!session) return Error::notFound("session " + session_id + " does not exist");
  // Only grading may become graded; let the state machine word the refusal.
  if (session->state != SessionState::Grading) return moveSession(uow, session_id, SessionState::Graded);
  ScoreReport report;
  report.id = new_id_();
  report.lablet_session_id = session_id;
  report.grading_session_id = session->grading_session_id;
  report.score = score;
  report.passed = passed;
  report.report_id = report_id;
  report.created_at = uow.now();
  // The report is recorded before the session's graded event, which names
  // it; an illegal transition below rolls the whole transaction back.
  uow.tx().saveScoreReport(report);
  uow.record(scoreReportCreated(report, uow.now()));
  auto moved = moveSession(
      uow, session_id, SessionState::Graded, std::nullopt, [&](LabletSession& s) { s.score_report_id = report.id; },
      &report);
  if (!moved) return moved;
  if (auto grading = uow.tx().findGradingSession(session->grading_session_id)) {
    grading->state = GradingSessionState::Submitted;
    grading->updated_at = uow.now();
    uow.tx().saveGradingSession(*grading);
  }
  return moved;
}

Expected<LabletSession> Lifecycle::stopSession(const std::string& session_id, std::optional<FinalState> final_state,
                                               const std::string& reason, const EventTrace& trace) {
  return inTransaction<LabletSession>(trace, [&](UnitOfWork& uow) {
    return moveSession(uow, session_id, SessionState::Stopping, final_state, [&](LabletSession& s) {
      if (!reason.empty()) s.error = reason;
    });
  });
}

Expected<LabletSession> Lifecycle::markStopped(const std::string& session_id, const EventTrace& trace) {
  return inTransaction<LabletSession>(
      trace, [&](UnitOfWork& uow) { return moveSession(uow, session_id, SessionState::Stopped); });
}

Expected<LabletSession> Lifecycle::terminateSession(const std::string& session_id, const EventTrace& trace) {
  return inTransaction<LabletSession>(
      trace, [&](UnitOfWork& uow) { return moveSession(uow, session_id, SessionState::Terminated); });
}

Expected<LabletSession> Lifecycle::recordError(const std::string& session_id, const std::string& error) {
  return inTransaction<LabletSession>(std::nullopt, [&](UnitOfWork& uow) -> Expected<LabletSession> {
    auto session = uow.tx().findSession(session_id, true);
    if (!session) return Error::notFound("session " + session_id + " does not exist");
    session->error = error;
    session->updated_at = uow.now();
    uow.tx().saveSession(*session);
    return *session;
  });
}

Expected<LabletSession> Lifecycle::lockSession(UnitOfWork& uow, const std::string& session_id) {
  auto session = uow.tx().findSession(session_id, true);
  if (!session) return Error::notFound("session " + session_id + " does not exist");
  return *session;
}

}  // namespace ccm::core
