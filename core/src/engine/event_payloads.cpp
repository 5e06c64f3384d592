#include "engine/event_payloads.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "engine/event_catalog.hpp"

namespace ccm::core {
namespace {

// A JSON object written member by member, in the order the schemas list them.
class Payload {
public:
  Payload() { writer_.StartObject(); }

  Payload& string(std::string_view key, std::string_view value) {
    name(key);
    writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    return *this;
  }
  Payload& null(std::string_view key) {
    name(key);
    writer_.Null();
    return *this;
  }
  Payload& integer(std::string_view key, std::int64_t value) {
    name(key);
    writer_.Int64(value);
    return *this;
  }
  Payload& number(std::string_view key, double value) {
    name(key);
    writer_.Double(value);
    return *this;
  }
  Payload& boolean(std::string_view key, bool value) {
    name(key);
    writer_.Bool(value);
    return *this;
  }
  Payload& ports(std::string_view key, const PortAllocation& allocation) {
    name(key);
    writer_.StartObject();
    for (const auto& [annotation, port] : allocation) {
      name(annotation);
      writer_.Uint(port);
    }
    writer_.EndObject();
    return *this;
  }

  std::string finish() {
    writer_.EndObject();
    return {buffer_.GetString(), buffer_.GetSize()};
  }

private:
  void name(std::string_view key) { writer_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size())); }

  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_{buffer_};
};

DomainEvent event(std::string_view type, std::string subject, Payload& payload, const std::string& now) {
  return DomainEvent{std::string(type), std::move(subject), payload.finish(), now};
}

// JSON has no NaN or infinity; RapidJSON would silently write nothing.
double finiteScore(double score, const std::string& owner) {
  if (!std::isfinite(score)) throw std::logic_error(owner + ": score must be a finite number");
  return score;
}

std::string sessionName(const LabletSession& session) {
  return "session " + session.id;
}

}  // namespace

DomainEvent sessionStateChanged(const LabletSession& after, std::optional<SessionState> previous,
                                const std::string& now, const ScoreReport* score_report) {
  const std::string who = sessionName(after);
  const SessionState state = after.state;
  if ((state == SessionState::Pending) == previous.has_value()) {
    throw std::logic_error(who + ": a previous state is required for every event but pending, which has none (got " +
                           std::string(previous ? toString(*previous) : "none") + " -> " +
                           std::string(toString(state)) + ")");
  }

  Payload payload;
  payload.string("session_id", after.id)
      .string("definition_id", after.definition_id)
      .integer("definition_version", after.definition_version);
  if (previous)
    payload.string("previous_state", toString(*previous));
  else
    payload.null("previous_state");
  payload.string("new_state", toString(state)).string("worker_id", after.worker_id).string("timestamp", now);

  switch (state) {
    case SessionState::Pending:
      payload.string("owner_id", after.owner_id);
      break;
    case SessionState::Scheduled:
      payload.ports("allocated_ports", after.allocated_ports);
      break;
    case SessionState::Ready:
      payload.string("login_url", after.login_url);
      break;
    case SessionState::Running:
      payload.string("user_session_id", after.user_session_id).string("cml_lab_id", after.cml_lab_id);
      break;
    case SessionState::Collecting:
    case SessionState::Grading:
      payload.string("grading_session_id", after.grading_session_id);
      break;
    case SessionState::Graded:
      if (score_report == nullptr) throw std::logic_error(who + ": the graded event needs its ScoreReport");
      if (score_report->id != after.score_report_id || score_report->lablet_session_id != after.id) {
        throw std::logic_error(who + ": ScoreReport " + score_report->id + " (session " +
                               score_report->lablet_session_id + ") is not the session's score_report_id \"" +
                               after.score_report_id + "\"");
      }
      payload.string("score_report_id", after.score_report_id)
          .number("score", finiteScore(score_report->score, who))
          .boolean("passed", score_report->passed);
      break;
    case SessionState::Stopping:
    case SessionState::Stopped:
      if (after.final_state) payload.string("final_state", toString(*after.final_state));
      break;
    case SessionState::Terminated:
      if (!after.final_state) throw std::logic_error(who + ": terminated without a final_state");
      payload.string("final_state", toString(*after.final_state));
      break;
    case SessionState::Instantiating:
      break;
  }
  return event(sessionEventType(state), after.id, payload, now);
}

DomainEvent workerStateChanged(const Worker& after, std::optional<WorkerState> previous, const std::string& reason,
                               const std::string& now) {
  if ((after.state == WorkerState::Pending) == previous.has_value()) {
    throw std::logic_error(
        "worker " + after.id + ": a previous state is required for every event but pending, which has none (got " +
        std::string(previous ? toString(*previous) : "none") + " -> " + std::string(toString(after.state)) + ")");
  }
  Payload payload;
  payload.string("worker_id", after.id);
  if (previous)
    payload.string("previous_state", toString(*previous));
  else
    payload.null("previous_state");
  payload.string("new_state", toString(after.state))
      .string("template_name", after.template_name)
      .string("timestamp", now);
  if (!reason.empty()) payload.string("reason", reason);
  return event(workerEventType(after.state), after.id, payload, now);
}

DomainEvent definitionCreated(const LabletDefinition& definition, const std::string& now) {
  Payload payload;
  payload.string("definition_id", definition.id)
      .string("name", definition.name)
      .integer("version", definition.version)
      .string("timestamp", now);
  return event(event_type::kDefinitionCreated, definition.id, payload, now);
}

DomainEvent definitionVersionCreated(const LabletDefinition& definition, int old_version, const std::string& now) {
  if (old_version >= definition.version) {
    throw std::logic_error("definition " + definition.id + ": new version " + std::to_string(definition.version) +
                           " must be greater than old version " + std::to_string(old_version));
  }
  Payload payload;
  payload.string("definition_id", definition.id)
      .integer("old_version", old_version)
      .integer("new_version", definition.version)
      .string("timestamp", now);
  return event(event_type::kDefinitionVersionCreated, definition.id, payload, now);
}

DomainEvent userSessionCreated(const UserSession& user_session, const std::string& now) {
  Payload payload;
  payload.string("user_session_id", user_session.id)
      .string("lablet_session_id", user_session.lablet_session_id)
      .string("timestamp", now);
  return event(event_type::kUserSessionCreated, user_session.lablet_session_id, payload, now);
}

DomainEvent gradingSessionCreated(const GradingSession& grading_session, const std::string& now) {
  Payload payload;
  payload.string("grading_session_id", grading_session.id)
      .string("lablet_session_id", grading_session.lablet_session_id)
      .string("timestamp", now);
  return event(event_type::kGradingSessionCreated, grading_session.lablet_session_id, payload, now);
}

DomainEvent scoreReportCreated(const ScoreReport& report, const std::string& now) {
  Payload payload;
  payload.string("score_report_id", report.id)
      .string("lablet_session_id", report.lablet_session_id)
      .number("score", finiteScore(report.score, "score report " + report.id))
      .boolean("passed", report.passed)
      .string("report_id", report.report_id)
      .string("timestamp", now);
  return event(event_type::kScoreReportCreated, report.lablet_session_id, payload, now);
}

DomainEvent scalingEvent(std::string_view type, const std::string& worker_id, const std::string& template_name,
                         const std::string& reason, const std::string& now, const std::string& requested_by) {
  const EventTypeInfo* info = findEventType(type);
  if (info == nullptr || info->aggregate != AggregateKind::Scaling) {
    throw std::logic_error("scalingEvent: \"" + std::string(type) + "\" is not a scaling event type");
  }
  Payload payload;
  payload.string("worker_id", worker_id)
      .string("template_name", template_name)
      .string("reason", reason)
      .string("timestamp", now);
  if (!requested_by.empty()) payload.string("requested_by", requested_by);
  return event(info->type, worker_id, payload, now);
}

DomainEvent sinkPaused(const SinkPause& pause) {
  Payload payload;
  payload.string("sink", pause.sink)
      .string("reason", pause.reason)
      .boolean("automatic", pause.automatic)
      .string("timestamp", pause.paused_at);
  return event(event_type::kSinkPaused, pause.sink, payload, pause.paused_at);
}

DomainEvent sinkResumed(const SinkPause& pause, const std::string& now) {
  Payload payload;
  payload.string("sink", pause.sink).string("paused_at", pause.paused_at).string("timestamp", now);
  return event(event_type::kSinkResumed, pause.sink, payload, now);
}

}  // namespace ccm::core
