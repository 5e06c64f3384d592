#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/states.hpp"

// The aggregates the engine owns. Plain values: the state machines and the
// store work on them; no I/O here. Times are RFC 3339 UTC strings.
namespace ccm::core {

struct LabletDefinition {
  std::string id;
  std::string name;
  int version = 1;           // bumped by each new version
  std::string lab_yaml;      // CML lab topology of the current version
  std::string pod_settings;  // JSON object: authentication/configuration per protocol, for the pod generator
  std::int64_t max_duration_seconds = 0;  // session TTL; 0 = the gateway default
  std::string created_at;
  std::string updated_at;
};

struct DefinitionVersion {
  std::string definition_id;
  int version = 1;
  std::string lab_yaml;
  std::string created_at;
};

struct Worker {
  std::string id;
  std::string name;
  std::string template_name;
  WorkerState state = WorkerState::Pending;
  std::string public_address;  // may be empty
  std::string private_address;
  std::uint16_t port_range_start = 5000;  // inclusive
  std::uint16_t port_range_end = 5999;    // inclusive
  int capacity = 10;                      // live sessions it can host
  // "up" from a scale-up request until the worker runs, "down" from a
  // scale-down request until it is terminated; empty otherwise.
  std::string scaling;
  std::string created_at;
  std::string updated_at;
};

// ADR-004: one port per serial:/vnc: smart annotation, keyed "<node label>/<annotation>".
using PortAllocation = std::map<std::string, std::uint16_t>;

struct LabletSession {
  std::string id;
  std::string definition_id;
  int definition_version = 1;
  std::string owner_id;
  SessionState state = SessionState::Pending;
  std::optional<FinalState> final_state;
  std::string worker_id;  // empty until scheduled
  PortAllocation allocated_ports;
  std::string cml_lab_id;
  std::string login_url;
  std::string user_session_id;
  std::string grading_session_id;
  std::string score_report_id;
  std::string error;       // last fault or integration error, for operators
  std::string expires_at;  // TTL deadline
  std::string created_at;
  std::string updated_at;
};

struct UserSession {
  std::string id;
  std::string lablet_session_id;
  UserSessionState state = UserSessionState::Provisioned;
  std::string created_at;
  std::string updated_at;
};

struct GradingSession {
  std::string id;
  std::string lablet_session_id;
  GradingSessionState state = GradingSessionState::Pending;
  std::string error;
  std::string created_at;
  std::string updated_at;
};

struct ScoreReport {
  std::string id;
  std::string lablet_session_id;
  std::string grading_session_id;
  double score = 0;
  bool passed = false;
  std::string report_id;  // the grading engine's report identifier
  std::string created_at;
};

// A sink an operator or the dispatcher paused (docs/delivery.md, Pause and
// resume): nothing is sent to it until it is resumed; its events keep queuing.
// The CloudEvent types that announce a pause and a resume (engine/event_catalog.hpp).
inline constexpr std::string_view kSinkPausedEventType = "ccm.gateway.sink.paused";
inline constexpr std::string_view kSinkResumedEventType = "ccm.gateway.sink.resumed";

struct SinkPause {
  std::string sink;
  std::string paused_at;  // RFC 3339
  std::string reason;
  bool automatic = false;  // delivery.pause_after_seconds, not an operator
};

}  // namespace ccm::core
