#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/aggregates.hpp"
#include "domain/domain_event.hpp"
#include "domain/states.hpp"

// Pure builders of the DomainEvent for each catalog event (event_catalog.hpp):
// type, subject, time = now, and the data object its schema in
// config/schemas/events/ describes. `now` is an RFC 3339 UTC time and also
// becomes the payload's "timestamp". State names in payloads are states.hpp's
// spellings: session and worker states lower case, final states upper case.
//
// Subjects: the aggregate's own id (definition, session, worker). The
// user_session, grading_session and score_report "created" events use the
// LabletSession's id, not the child's: consumers order and partition by
// subject, so a session's whole story stays in one ordered stream.
//
// Each builder throws std::logic_error when its arguments break an invariant
// the state machines guarantee (named in the message); that is a programming
// error, not bad input.
namespace ccm::core {

// ccm.lablet.session.<after.state>. `previous` is empty exactly when `after`
// is pending (previous_state becomes null). Graded needs `score_report`, the
// report after.score_report_id names (it gives score and passed); terminated
// needs after.final_state. Stopping and stopped carry final_state once
// recorded.
DomainEvent sessionStateChanged(const LabletSession& after, std::optional<SessionState> previous,
                                const std::string& now, const ScoreReport* score_report = nullptr);

// ccm.worker.<after.state> (provisioning is ccm.worker.provisioning.started).
// `previous` is empty exactly when `after` is pending; `reason` is included
// when non-empty.
DomainEvent workerStateChanged(const Worker& after, std::optional<WorkerState> previous, const std::string& reason,
                               const std::string& now);

// ccm.lablet.definition.created with the definition's current version.
DomainEvent definitionCreated(const LabletDefinition& definition, const std::string& now);

// ccm.lablet.definition.version.created; new_version is definition.version,
// which must be greater than `old_version`.
DomainEvent definitionVersionCreated(const LabletDefinition& definition, int old_version, const std::string& now);

DomainEvent userSessionCreated(const UserSession& user_session, const std::string& now);
DomainEvent gradingSessionCreated(const GradingSession& grading_session, const std::string& now);
DomainEvent scoreReportCreated(const ScoreReport& report, const std::string& now);

// One of the six scaling types (ccm.worker.scaling.{up,down},
// ccm.scaling.{up,down}.{requested,completed}); subject is `worker_id`, which
// may be empty when a scale-up is requested before the worker exists.
// `requested_by` is included when non-empty.
DomainEvent scalingEvent(std::string_view type, const std::string& worker_id, const std::string& template_name,
                         const std::string& reason, const std::string& now, const std::string& requested_by = "");

// ccm.gateway.sink.paused; subject is the sink's name.
DomainEvent sinkPaused(const SinkPause& pause);
// ccm.gateway.sink.resumed, ending `pause`; subject is the sink's name.
DomainEvent sinkResumed(const SinkPause& pause, const std::string& now);

}  // namespace ccm::core
