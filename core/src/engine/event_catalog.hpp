#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/aggregates.hpp"
#include "domain/states.hpp"

// Every CloudEvent type the gateway emits, with its payload version and the
// data fields its JSON Schema (config/schemas/events/<type>.json) requires.
// Sources: the 2026-02-18 ADR-003 catalog ("Events Emitted by CCM") and the
// Phase 4 plan, tasks 4.2/4.3 (worker lifecycle and scaling events).
// Everything here is immutable and thread-safe.
namespace ccm::core {

namespace event_type {

inline constexpr std::string_view kDefinitionCreated = "ccm.lablet.definition.created";
inline constexpr std::string_view kDefinitionVersionCreated = "ccm.lablet.definition.version.created";

inline constexpr std::string_view kSessionPending = "ccm.lablet.session.pending";
inline constexpr std::string_view kSessionScheduled = "ccm.lablet.session.scheduled";
inline constexpr std::string_view kSessionInstantiating = "ccm.lablet.session.instantiating";
inline constexpr std::string_view kSessionReady = "ccm.lablet.session.ready";
inline constexpr std::string_view kSessionRunning = "ccm.lablet.session.running";
inline constexpr std::string_view kSessionCollecting = "ccm.lablet.session.collecting";
inline constexpr std::string_view kSessionGrading = "ccm.lablet.session.grading";
inline constexpr std::string_view kSessionGraded = "ccm.lablet.session.graded";
inline constexpr std::string_view kSessionStopping = "ccm.lablet.session.stopping";
inline constexpr std::string_view kSessionStopped = "ccm.lablet.session.stopped";
inline constexpr std::string_view kSessionTerminated = "ccm.lablet.session.terminated";

inline constexpr std::string_view kUserSessionCreated = "ccm.lablet.user_session.created";
inline constexpr std::string_view kGradingSessionCreated = "ccm.lablet.grading_session.created";
inline constexpr std::string_view kScoreReportCreated = "ccm.lablet.score_report.created";

inline constexpr std::string_view kWorkerPending = "ccm.worker.pending";
inline constexpr std::string_view kWorkerProvisioningStarted = "ccm.worker.provisioning.started";
inline constexpr std::string_view kWorkerRunning = "ccm.worker.running";
inline constexpr std::string_view kWorkerDraining = "ccm.worker.draining";
inline constexpr std::string_view kWorkerStopping = "ccm.worker.stopping";
inline constexpr std::string_view kWorkerStopped = "ccm.worker.stopped";
inline constexpr std::string_view kWorkerTerminated = "ccm.worker.terminated";

// The catalog's ccm.worker.scaling.* and the plan's ccm.scaling.* are both
// emitted: the first pair announces a worker being added or removed, the
// second the autoscaler's request and its completion.
inline constexpr std::string_view kWorkerScalingUp = "ccm.worker.scaling.up";
inline constexpr std::string_view kWorkerScalingDown = "ccm.worker.scaling.down";
inline constexpr std::string_view kScalingUpRequested = "ccm.scaling.up.requested";
inline constexpr std::string_view kScalingUpCompleted = "ccm.scaling.up.completed";
inline constexpr std::string_view kScalingDownRequested = "ccm.scaling.down.requested";
inline constexpr std::string_view kScalingDownCompleted = "ccm.scaling.down.completed";

// Issue #19: the gateway's own delivery, so that another sink can alert on it.
inline constexpr std::string_view kSinkPaused = kSinkPausedEventType;
inline constexpr std::string_view kSinkResumed = kSinkResumedEventType;

}  // namespace event_type

// What an event is about; decides which payload builder makes it.
enum class AggregateKind {
  LabletDefinition,
  LabletSession,
  UserSession,
  GradingSession,
  ScoreReport,
  Worker,
  Scaling,
  Sink
};

struct EventTypeInfo {
  std::string_view type;
  std::string_view version;  // payload schema version, "<major>.<minor>"
  AggregateKind aggregate;
  std::string_view description;
  std::vector<std::string_view> required_fields;  // exactly the schema's "required"
};

// All emitted types, in catalog order.
const std::vector<EventTypeInfo>& eventCatalog();

// The entry for `type`, or nullptr when the gateway never emits it.
const EventTypeInfo* findEventType(std::string_view type);

// The event announcing that a session or worker entered `state`.
std::string_view sessionEventType(SessionState state);
std::string_view workerEventType(WorkerState state);

// The CloudEvents `dataschema` of `type`. With a non-empty `base_url` (the
// gateway's public URL) it is the gateway's own schema endpoint,
// base_url + "/api/v1/schemas/" + type + "?version=" + version, so a consumer
// can fetch the schema it names; with an empty one it is the location-free URN
// "urn:ccm-gateway:schemas:" + type + ":" + version, which is also each schema
// file's "id". Throws std::logic_error for a type not in the catalog.
std::string dataschemaUri(std::string_view base_url, std::string_view type);

}  // namespace ccm::core
