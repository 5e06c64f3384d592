#include "api/resource_json.hpp"

#include "store/json_fields.hpp"

namespace ccm::core {

std::string resourceJson(const LabletDefinition& definition) {
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

std::string resourceJson(const DefinitionVersion& version) {
  return JsonObjectWriter()
      .text("definition_id", version.definition_id)
      .integer("version", version.version)
      .text("lab_yaml", version.lab_yaml)
      .text("created_at", version.created_at)
      .finish();
}

std::string resourceJson(const Worker& worker) {
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

std::string resourceJson(const LabletSession& session) {
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

}  // namespace ccm::core
