#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/aggregates.hpp"
#include "domain/domain_event.hpp"
#include "engine/event_catalog.hpp"
#include "engine/event_payloads.hpp"

// Fully populated aggregates and one sample DomainEvent per catalog type, built
// by the payload functions, for the engine's event tests.
namespace ccm::core::event_testing {

inline const std::string kNow = "2026-02-18T10:00:00Z";
inline const ScoreReport kReport{"sr-1", "ls-1", "gs-1", 87.5, true, "ge-report-42", kNow};

// A session as it is on entering `state`: every id it would have by then
// (pending has no worker yet), final_state COMPLETED from stopping on.
inline LabletSession sessionIn(SessionState state) {
  LabletSession session;
  session.id = "ls-1";
  session.definition_id = "def-1";
  session.definition_version = 3;
  session.owner_id = "user-7";
  session.state = state;
  if (state != SessionState::Pending) {
    session.worker_id = "w-1";
    session.allocated_ports = {{"r1/serial:0", 5001}, {"r1/vnc:0", 5002}};
  }
  session.cml_lab_id = "lab-9";
  session.login_url = "https://lds.example/login/ls-1";
  session.user_session_id = "us-1";
  session.grading_session_id = "gs-1";
  session.score_report_id = "sr-1";
  if (state == SessionState::Stopping || state == SessionState::Stopped || state == SessionState::Terminated) {
    session.final_state = FinalState::Completed;
  }
  session.created_at = kNow;
  session.updated_at = kNow;
  return session;
}

// The happy path's predecessor of each state.
inline std::optional<SessionState> previousOf(SessionState state) {
  if (state == SessionState::Pending) return std::nullopt;
  return static_cast<SessionState>(static_cast<int>(state) - 1);
}

inline DomainEvent sessionSample(SessionState state) {
  return sessionStateChanged(sessionIn(state), previousOf(state), kNow,
                             state == SessionState::Graded ? &kReport : nullptr);
}

inline Worker workerIn(WorkerState state) {
  Worker worker;
  worker.id = "w-1";
  worker.name = "worker-1";
  worker.template_name = "cml-large";
  worker.state = state;
  worker.created_at = kNow;
  worker.updated_at = kNow;
  return worker;
}

inline LabletDefinition definition() {
  LabletDefinition definition;
  definition.id = "def-1";
  definition.name = "CCNA switching";
  definition.version = 3;
  definition.created_at = kNow;
  definition.updated_at = kNow;
  return definition;
}

inline std::vector<DomainEvent> sampleEvents() {
  std::vector<DomainEvent> events;
  for (int s = 0; s <= static_cast<int>(SessionState::Terminated); ++s) {
    events.push_back(sessionSample(static_cast<SessionState>(s)));
  }
  events.push_back(workerStateChanged(workerIn(WorkerState::Pending), std::nullopt, "", kNow));
  for (int w = 1; w <= static_cast<int>(WorkerState::Terminated); ++w) {
    const auto state = static_cast<WorkerState>(w);
    events.push_back(workerStateChanged(workerIn(state), static_cast<WorkerState>(w - 1), "", kNow));
  }
  events.push_back(definitionCreated(definition(), kNow));
  events.push_back(definitionVersionCreated(definition(), 2, kNow));
  events.push_back(userSessionCreated(UserSession{"us-1", "ls-1", UserSessionState::Provisioned, kNow, kNow}, kNow));
  events.push_back(
      gradingSessionCreated(GradingSession{"gs-1", "ls-1", GradingSessionState::Pending, "", kNow, kNow}, kNow));
  events.push_back(scoreReportCreated(kReport, kNow));
  for (const auto& info : eventCatalog()) {
    if (info.aggregate == AggregateKind::Scaling) {
      events.push_back(scalingEvent(info.type, "w-1", "cml-large", "queue depth 12", kNow, "operator-3"));
    }
  }
  const SinkPause pause{"platform", kNow, "failed for 3602 s without a success", true};
  events.push_back(sinkPaused(pause));
  events.push_back(sinkResumed(pause, kNow));
  return events;
}

}  // namespace ccm::core::event_testing
