#include "store_test_fixture.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <stdlib.h>

#include "postgres_server.hpp"
#include "store/open_store.hpp"

namespace ccm::core::store_test {
namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

Poco::Data::Session rawSession(const StoreConfig& config) {
  if (config.driver == StoreDriver::Sqlite) return Poco::Data::Session("sqlite", config.sqlite.path.string());
  return Poco::Data::Session("postgresql", config.postgresql.connection);
}

}  // namespace

void StoreTest::SetUp() {
  if (onPostgresql()) {
    auto& server = ccm::testing::PostgresServer::shared();
    if (server.status() == ccm::testing::PostgresServer::Status::Unavailable) {
      GTEST_SKIP() << "PostgreSQL tests SKIPPED: " << server.message();
    }
    ASSERT_EQ(server.status(), ccm::testing::PostgresServer::Status::Running) << server.message();
    database_ = server.createDatabase();
    config_.driver = StoreDriver::Postgresql;
    config_.postgresql.connection = server.connectionString(database_);
    config_.postgresql.pool_size = 4;
  } else {
    std::string pattern = (std::filesystem::temp_directory_path() / "ccm-store-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    temp_dir_ = pattern;
    config_.driver = StoreDriver::Sqlite;
    config_.sqlite.path = temp_dir_ / "var" / "store.db";
  }
}

void StoreTest::TearDown() {
  if (!database_.empty()) ccm::testing::PostgresServer::shared().dropDatabase(database_);
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_);
}

std::unique_ptr<Store> StoreTest::open() {
  auto store = openStore(config_);
  if (!store) {
    ADD_FAILURE() << "openStore failed: " << store.error().message;
    return nullptr;
  }
  return std::move(store.value());
}

void StoreTest::executeSql(const std::string& sql) {
  auto session = rawSession(config_);
  session << sql, now;
}

std::int64_t StoreTest::queryInteger(const std::string& sql) {
  auto session = rawSession(config_);
  Poco::Int64 value = 0;
  session << sql, into(value), now;
  return value;
}

std::vector<std::string> StoreTest::queryTexts(const std::string& sql) {
  auto session = rawSession(config_);
  std::vector<std::string> values;
  session << sql, into(values), now;
  return values;
}

LabletDefinition sampleDefinition(const std::string& id) {
  LabletDefinition definition;
  definition.id = id;
  definition.name = "Definition " + id;
  definition.version = 3;
  definition.lab_yaml = "lab:\n  title: " + id + "\n";
  definition.pod_settings = R"({"ssh":{"user":"cisco","port":22}})";
  definition.max_duration_seconds = 7200;
  definition.created_at = "2026-02-18T09:00:00Z";
  definition.updated_at = "2026-02-18T09:30:00Z";
  return definition;
}

DefinitionVersion sampleDefinitionVersion(const std::string& definition_id, int version) {
  return {definition_id, version, "lab:\n  version: " + std::to_string(version) + "\n",
          "2026-02-18T09:00:0" + std::to_string(version) + "Z"};
}

Worker sampleWorker(const std::string& id) {
  Worker worker;
  worker.id = id;
  worker.name = "worker " + id;
  worker.template_name = "cml-2.7";
  worker.state = WorkerState::Running;
  worker.public_address = "198.51.100.7";
  worker.private_address = "10.0.0.7";
  worker.port_range_start = 6000;
  worker.port_range_end = 6099;
  worker.capacity = 4;
  worker.scaling = "up";
  worker.created_at = "2026-02-18T08:00:00Z";
  worker.updated_at = "2026-02-18T08:05:00Z";
  return worker;
}

LabletSession sampleSession(const std::string& id) {
  LabletSession session;
  session.id = id;
  session.definition_id = "def-1";
  session.definition_version = 2;
  session.owner_id = "owner-1";
  session.state = SessionState::Running;
  session.final_state = FinalState::Expired;
  session.worker_id = "worker-1";
  session.allocated_ports = {{"router1/serial0", 6001}, {"router1/vnc", 6002}};
  session.cml_lab_id = "lab-" + id;
  session.login_url = "https://cml.example/lab/" + id;
  session.user_session_id = "user-" + id;
  session.grading_session_id = "grading-" + id;
  session.score_report_id = "score-" + id;
  session.error = "last fault of " + id;
  session.expires_at = "2026-02-18T12:00:00Z";
  session.created_at = "2026-02-18T10:00:00Z";
  session.updated_at = "2026-02-18T10:01:00Z";
  return session;
}

UserSession sampleUserSession(const std::string& id) {
  return {id, "session-1", UserSessionState::Active, "2026-02-18T10:00:00Z", "2026-02-18T10:02:00Z"};
}

GradingSession sampleGradingSession(const std::string& id) {
  return {id,
          "session-1",
          GradingSessionState::Faulted,
          "grader unreachable",
          "2026-02-18T11:00:00Z",
          "2026-02-18T11:01:00Z"};
}

ScoreReport sampleScoreReport(const std::string& id) {
  return {id, "session-1", "grading-1", 87.25, true, "report-" + id, "2026-02-18T11:05:00Z"};
}

sdk::CloudEvent sampleEvent(const std::string& id, const std::string& type, const std::string& subject) {
  sdk::CloudEvent event;
  event.id = id;
  event.source = "urn:ccm-gateway:test";
  event.type = type;
  event.subject = subject;
  event.time = "2026-02-18T10:00:00Z";
  event.datacontenttype = "application/json";
  event.extensions["sequencehint"] = std::int32_t{7};
  event.extensions["traceparent"] = std::string("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  event.data = sdk::Data::json(R"({"session_id":")" + subject + R"("})");
  return event;
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace ccm::core::store_test
