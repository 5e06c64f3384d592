#include "api/resource_json.hpp"

#include <gtest/gtest.h>

namespace ccm::core {
namespace {

// The API's JSON is a public contract (docs/api.md): these are its bytes,
// member order included.
TEST(ResourceJson, ASessionIsWrittenAsDocsApiMdShowsIt) {
  LabletSession session;
  session.id = "s-1";
  session.definition_id = "d-1";
  session.definition_version = 2;
  session.owner_id = "student-42";
  session.state = SessionState::Stopped;
  session.final_state = FinalState::Completed;
  session.worker_id = "w-1";
  session.allocated_ports = {{"r1/serial:0", 2000}, {"r1/vnc:5900", 2001}};
  session.expires_at = "2026-11-23T12:00:00.000Z";
  session.created_at = "2026-11-23T10:00:00.000Z";
  session.updated_at = "2026-11-23T11:00:00.000Z";
  EXPECT_EQ(resourceJson(session),
            R"({"id":"s-1","definition_id":"d-1","definition_version":2,"owner_id":"student-42","state":"stopped",)"
            R"("final_state":"COMPLETED","worker_id":"w-1","allocated_ports":{"r1/serial:0":2000,"r1/vnc:5900":2001},)"
            R"("cml_lab_id":"","login_url":"","user_session_id":"","grading_session_id":"","score_report_id":"",)"
            R"("error":"","expires_at":"2026-11-23T12:00:00.000Z","created_at":"2026-11-23T10:00:00.000Z",)"
            R"("updated_at":"2026-11-23T11:00:00.000Z"})");
  session.final_state.reset();
  EXPECT_NE(resourceJson(session).find(R"("final_state":null)"), std::string::npos);
}

TEST(ResourceJson, AWorkerADefinitionAndAVersionKeepTheirDocumentedMembers) {
  Worker worker;
  worker.id = "w-1";
  worker.name = "pod-a";
  worker.state = WorkerState::Running;
  worker.port_range_start = 2000;
  worker.port_range_end = 2999;
  worker.capacity = 4;
  EXPECT_EQ(resourceJson(worker),
            R"({"id":"w-1","name":"pod-a","template_name":"","state":"running","public_address":"",)"
            R"("private_address":"","port_range_start":2000,"port_range_end":2999,"capacity":4,"scaling":"",)"
            R"("created_at":"","updated_at":""})");

  LabletDefinition definition;
  definition.id = "d-1";
  definition.name = "ccna";
  definition.version = 3;
  definition.pod_settings = R"({"pod_name":"p"})";
  definition.max_duration_seconds = 3600;
  EXPECT_EQ(resourceJson(definition),
            R"({"id":"d-1","name":"ccna","version":3,"lab_yaml":"","pod_settings":{"pod_name":"p"},)"
            R"("max_duration_seconds":3600,"created_at":"","updated_at":""})");

  DefinitionVersion version;
  version.definition_id = "d-1";
  version.version = 3;
  version.lab_yaml = "nodes: []";
  EXPECT_EQ(resourceJson(version), R"({"definition_id":"d-1","version":3,"lab_yaml":"nodes: []","created_at":""})");
}

}  // namespace
}  // namespace ccm::core
