#include "engine/event_catalog.hpp"

#include <stdexcept>

namespace ccm::core {
namespace {

using Fields = std::vector<std::string_view>;

// Phase 4 plan, task 4.2: every session state event carries the transition and
// the session's coordinates; the catalog's per-type fields come after these.
// The catalog is built on first use (eventCatalog), never at static
// initialization, so other translation units may read it from theirs.
Fields sessionFields(std::initializer_list<std::string_view> extra) {
  Fields fields{"session_id", "definition_id", "definition_version", "previous_state",
                "new_state",  "worker_id",     "timestamp"};
  fields.insert(fields.end(), extra);
  return fields;
}

// Seed 004 (event versioning): every payload starts at 1.0; a field added
// later bumps the minor version, a removed or retyped field the major one.
constexpr std::string_view kV1 = "1.0";

std::vector<EventTypeInfo> buildCatalog() {
  using namespace event_type;
  using K = AggregateKind;
  const Fields worker = {"worker_id", "previous_state", "new_state", "template_name", "timestamp"};
  const Fields scaling = {"worker_id", "template_name", "reason", "timestamp"};
  // clang-format off
  return {
      {kDefinitionCreated, kV1, K::LabletDefinition, "New definition registered",
       {"definition_id", "name", "version", "timestamp"}},
      {kDefinitionVersionCreated, kV1, K::LabletDefinition, "New version detected",
       {"definition_id", "old_version", "new_version", "timestamp"}},
      {kSessionPending, kV1, K::LabletSession, "Session requested", sessionFields({"owner_id"})},
      {kSessionScheduled, kV1, K::LabletSession, "Worker assigned", sessionFields({"allocated_ports"})},
      {kSessionInstantiating, kV1, K::LabletSession, "Lab import + LDS provisioning started", sessionFields({})},
      {kSessionReady, kV1, K::LabletSession, "Infrastructure ready, awaiting user", sessionFields({"login_url"})},
      {kSessionRunning, kV1, K::LabletSession, "User logged in (via LDS CloudEvent)",
       sessionFields({"user_session_id", "cml_lab_id"})},
      {kSessionCollecting, kV1, K::LabletSession, "Assessment collection started",
       sessionFields({"grading_session_id"})},
      {kSessionGrading, kV1, K::LabletSession, "GradingEngine scoring in progress",
       sessionFields({"grading_session_id"})},
      {kSessionGraded, kV1, K::LabletSession, "Score finalized",
       sessionFields({"score_report_id", "score", "passed"})},
      {kSessionStopping, kV1, K::LabletSession, "Cleanup initiated", sessionFields({})},
      {kSessionStopped, kV1, K::LabletSession, "Lab stopped", sessionFields({})},
      {kSessionTerminated, kV1, K::LabletSession, "Resources released", sessionFields({"final_state"})},
      {kUserSessionCreated, kV1, K::UserSession, "LDS session provisioned",
       {"user_session_id", "lablet_session_id", "timestamp"}},
      {kGradingSessionCreated, kV1, K::GradingSession, "Grading initiated",
       {"grading_session_id", "lablet_session_id", "timestamp"}},
      {kScoreReportCreated, kV1, K::ScoreReport, "Score report stored",
       {"score_report_id", "lablet_session_id", "score", "passed", "report_id", "timestamp"}},
      {kWorkerScalingUp, kV1, K::Scaling, "New worker starting", scaling},
      {kWorkerScalingDown, kV1, K::Scaling, "Worker stopping", scaling},
      {kWorkerDraining, kV1, K::Worker, "Worker entering drain mode", worker},
      {kWorkerPending, kV1, K::Worker, "Worker requested", worker},
      {kWorkerProvisioningStarted, kV1, K::Worker, "Worker provisioning started", worker},
      {kWorkerRunning, kV1, K::Worker, "Worker ready to host sessions", worker},
      {kWorkerStopping, kV1, K::Worker, "Worker shutting down", worker},
      {kWorkerStopped, kV1, K::Worker, "Worker stopped", worker},
      {kWorkerTerminated, kV1, K::Worker, "Worker resources released", worker},
      {kScalingUpRequested, kV1, K::Scaling, "Autoscaler requested a worker", scaling},
      {kScalingUpCompleted, kV1, K::Scaling, "Requested worker is running", scaling},
      {kScalingDownRequested, kV1, K::Scaling, "Autoscaler requested a worker's removal", scaling},
      {kScalingDownCompleted, kV1, K::Scaling, "Removed worker is terminated", scaling},
      {kSinkPaused, kV1, K::Sink, "Delivery to a sink paused (by an operator or after failing too long)",
       {"sink", "reason", "automatic", "timestamp"}},
      {kSinkResumed, kV1, K::Sink, "Delivery to a paused sink resumed", {"sink", "paused_at", "timestamp"}},
  };
  // clang-format on
}

}  // namespace

const std::vector<EventTypeInfo>& eventCatalog() {
  static const std::vector<EventTypeInfo> catalog = buildCatalog();
  return catalog;
}

const EventTypeInfo* findEventType(std::string_view type) {
  for (const auto& info : eventCatalog()) {
    if (info.type == type) return &info;
  }
  return nullptr;
}

std::string_view sessionEventType(SessionState state) {
  using namespace event_type;
  switch (state) {
    case SessionState::Pending:
      return kSessionPending;
    case SessionState::Scheduled:
      return kSessionScheduled;
    case SessionState::Instantiating:
      return kSessionInstantiating;
    case SessionState::Ready:
      return kSessionReady;
    case SessionState::Running:
      return kSessionRunning;
    case SessionState::Collecting:
      return kSessionCollecting;
    case SessionState::Grading:
      return kSessionGrading;
    case SessionState::Graded:
      return kSessionGraded;
    case SessionState::Stopping:
      return kSessionStopping;
    case SessionState::Stopped:
      return kSessionStopped;
    case SessionState::Terminated:
      return kSessionTerminated;
  }
  throw std::logic_error("sessionEventType: SessionState value " + std::to_string(static_cast<int>(state)) +
                         " has no catalog event");
}

std::string_view workerEventType(WorkerState state) {
  using namespace event_type;
  switch (state) {
    case WorkerState::Pending:
      return kWorkerPending;
    case WorkerState::Provisioning:
      return kWorkerProvisioningStarted;
    case WorkerState::Running:
      return kWorkerRunning;
    case WorkerState::Draining:
      return kWorkerDraining;
    case WorkerState::Stopping:
      return kWorkerStopping;
    case WorkerState::Stopped:
      return kWorkerStopped;
    case WorkerState::Terminated:
      return kWorkerTerminated;
  }
  throw std::logic_error("workerEventType: WorkerState value " + std::to_string(static_cast<int>(state)) +
                         " has no catalog event");
}

std::string dataschemaUri(std::string_view base_url, std::string_view type) {
  const EventTypeInfo* info = findEventType(type);
  if (info == nullptr) {
    throw std::logic_error("dataschemaUri: \"" + std::string(type) + "\" is not in the event catalog");
  }
  if (base_url.empty()) {
    return "urn:ccm-gateway:schemas:" + std::string(type) + ":" + std::string(info->version);
  }
  while (base_url.ends_with('/')) base_url.remove_suffix(1);
  return std::string(base_url) + "/api/v1/schemas/" + std::string(type) + "?version=" + std::string(info->version);
}

}  // namespace ccm::core
