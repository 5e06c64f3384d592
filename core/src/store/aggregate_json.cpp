#include "store/aggregate_json.hpp"

#include <utility>

#include "store/json_fields.hpp"

namespace ccm::core {

std::string toJson(const LabletDefinition& definition) {
  return JsonObjectWriter()
      .text("id", definition.id)
      .text("name", definition.name)
      .integer("version", definition.version)
      .text("lab_yaml", definition.lab_yaml)
      .jsonObject("pod_settings", definition.pod_settings)
      .integer("max_duration_seconds", definition.max_duration_seconds)
      .text("created_at", definition.created_at)
      .text("updated_at", definition.updated_at)
      .finish();
}

std::string toJson(const DefinitionVersion& version) {
  return JsonObjectWriter()
      .text("definition_id", version.definition_id)
      .integer("version", version.version)
      .text("lab_yaml", version.lab_yaml)
      .text("created_at", version.created_at)
      .finish();
}

std::string toJson(const Worker& worker) {
  return JsonObjectWriter()
      .text("id", worker.id)
      .text("name", worker.name)
      .text("template_name", worker.template_name)
      .text("state", toString(worker.state))
      .text("public_address", worker.public_address)
      .text("private_address", worker.private_address)
      .integer("port_range_start", worker.port_range_start)
      .integer("port_range_end", worker.port_range_end)
      .integer("capacity", worker.capacity)
      .text("scaling", worker.scaling)
      .text("created_at", worker.created_at)
      .text("updated_at", worker.updated_at)
      .finish();
}

std::string toJson(const LabletSession& session) {
  JsonObjectWriter writer;
  writer.text("id", session.id)
      .text("definition_id", session.definition_id)
      .integer("definition_version", session.definition_version)
      .text("owner_id", session.owner_id)
      .text("state", toString(session.state));
  if (session.final_state) {
    writer.text("final_state", toString(*session.final_state));
  } else {
    writer.null("final_state");
  }
  return writer.text("worker_id", session.worker_id)
      .ports("allocated_ports", session.allocated_ports)
      .text("cml_lab_id", session.cml_lab_id)
      .text("login_url", session.login_url)
      .text("user_session_id", session.user_session_id)
      .text("grading_session_id", session.grading_session_id)
      .text("score_report_id", session.score_report_id)
      .text("error", session.error)
      .text("expires_at", session.expires_at)
      .text("created_at", session.created_at)
      .text("updated_at", session.updated_at)
      .finish();
}

std::string toJson(const UserSession& user_session) {
  return JsonObjectWriter()
      .text("id", user_session.id)
      .text("lablet_session_id", user_session.lablet_session_id)
      .text("state", toString(user_session.state))
      .text("created_at", user_session.created_at)
      .text("updated_at", user_session.updated_at)
      .finish();
}

std::string toJson(const GradingSession& grading_session) {
  return JsonObjectWriter()
      .text("id", grading_session.id)
      .text("lablet_session_id", grading_session.lablet_session_id)
      .text("state", toString(grading_session.state))
      .text("error", grading_session.error)
      .text("created_at", grading_session.created_at)
      .text("updated_at", grading_session.updated_at)
      .finish();
}

std::string toJson(const ScoreReport& report) {
  return JsonObjectWriter()
      .text("id", report.id)
      .text("lablet_session_id", report.lablet_session_id)
      .text("grading_session_id", report.grading_session_id)
      .number("score", report.score)
      .boolean("passed", report.passed)
      .text("report_id", report.report_id)
      .text("created_at", report.created_at)
      .finish();
}

sdk::Result<LabletDefinition> definitionFromJson(std::string_view json) {
  LabletDefinition definition;
  return JsonObjectReader(json, "lablet definition")
      .required("id")
      .text("id", definition.id)
      .text("name", definition.name)
      .integer("version", definition.version)
      .text("lab_yaml", definition.lab_yaml)
      .jsonObject("pod_settings", definition.pod_settings)
      .integer("max_duration_seconds", definition.max_duration_seconds)
      .text("created_at", definition.created_at)
      .text("updated_at", definition.updated_at)
      .finish(std::move(definition));
}

sdk::Result<DefinitionVersion> definitionVersionFromJson(std::string_view json) {
  DefinitionVersion version;
  return JsonObjectReader(json, "definition version")
      .required("definition_id")
      .text("definition_id", version.definition_id)
      .integer("version", version.version)
      .text("lab_yaml", version.lab_yaml)
      .text("created_at", version.created_at)
      .finish(std::move(version));
}

sdk::Result<Worker> workerFromJson(std::string_view json) {
  Worker worker;
  return JsonObjectReader(json, "worker")
      .required("id")
      .text("id", worker.id)
      .text("name", worker.name)
      .text("template_name", worker.template_name)
      .state("state", worker.state, &workerStateFrom)
      .text("public_address", worker.public_address)
      .text("private_address", worker.private_address)
      .integer("port_range_start", worker.port_range_start)
      .integer("port_range_end", worker.port_range_end)
      .integer("capacity", worker.capacity)
      .text("scaling", worker.scaling)
      .text("created_at", worker.created_at)
      .text("updated_at", worker.updated_at)
      .finish(std::move(worker));
}

sdk::Result<LabletSession> sessionFromJson(std::string_view json) {
  LabletSession session;
  return JsonObjectReader(json, "lablet session")
      .required("id")
      .text("id", session.id)
      .text("definition_id", session.definition_id)
      .integer("definition_version", session.definition_version)
      .text("owner_id", session.owner_id)
      .state("state", session.state, &sessionStateFrom)
      .optionalState("final_state", session.final_state, &finalStateFrom)
      .text("worker_id", session.worker_id)
      .ports("allocated_ports", session.allocated_ports)
      .text("cml_lab_id", session.cml_lab_id)
      .text("login_url", session.login_url)
      .text("user_session_id", session.user_session_id)
      .text("grading_session_id", session.grading_session_id)
      .text("score_report_id", session.score_report_id)
      .text("error", session.error)
      .text("expires_at", session.expires_at)
      .text("created_at", session.created_at)
      .text("updated_at", session.updated_at)
      .finish(std::move(session));
}

sdk::Result<UserSession> userSessionFromJson(std::string_view json) {
  UserSession user_session;
  return JsonObjectReader(json, "user session")
      .required("id")
      .text("id", user_session.id)
      .text("lablet_session_id", user_session.lablet_session_id)
      .state("state", user_session.state, &userSessionStateFrom)
      .text("created_at", user_session.created_at)
      .text("updated_at", user_session.updated_at)
      .finish(std::move(user_session));
}

sdk::Result<GradingSession> gradingSessionFromJson(std::string_view json) {
  GradingSession grading_session;
  return JsonObjectReader(json, "grading session")
      .required("id")
      .text("id", grading_session.id)
      .text("lablet_session_id", grading_session.lablet_session_id)
      .state("state", grading_session.state, &gradingSessionStateFrom)
      .text("error", grading_session.error)
      .text("created_at", grading_session.created_at)
      .text("updated_at", grading_session.updated_at)
      .finish(std::move(grading_session));
}

sdk::Result<ScoreReport> scoreReportFromJson(std::string_view json) {
  ScoreReport report;
  return JsonObjectReader(json, "score report")
      .required("id")
      .text("id", report.id)
      .text("lablet_session_id", report.lablet_session_id)
      .text("grading_session_id", report.grading_session_id)
      .number("score", report.score)
      .boolean("passed", report.passed)
      .text("report_id", report.report_id)
      .text("created_at", report.created_at)
      .finish(std::move(report));
}

}  // namespace ccm::core
