// Drives the real ccm-gateway through its REST API: every session and worker
// state, illegal transitions, reconcilers, the event log and the outbox's
// durability across a kill -9. Runs once per store (SQLite, PostgreSQL).
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "child_process.hpp"
#include "config/json_schema.hpp"
#include "http_call.hpp"
#include "postgres_server.hpp"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ccm::testing::ChildProcess;
using ccm::testing::httpCall;
using ccm::testing::HttpReply;

const std::string kGateway = CCM_GATEWAY_EXECUTABLE;
const std::string kPluginDir = CCM_PLUGIN_OUTPUT_DIR;

const char* kLabYaml = R"(lab:
  title: two routers
  version: 0.2.2
nodes:
  - id: n0
    label: r1
    node_definition: iosv
    tags: [serial:5000, vnc:5900]
  - id: n1
    label: r2
    node_definition: iosv
    tags: [serial:5000]
  - id: n2
    label: ext
    node_definition: external_connector
)";

std::string jsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') out += "\\n";
    else if (c == '"') out += "\\\"";
    else out += c;
  }
  return out + "\"";
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  return doc;
}

class LifecycleApi : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccm-life-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter_++));
    fs::create_directories(dir_);
    if (GetParam() == "postgresql") {
      auto& server = ccm::testing::PostgresServer::shared();
      if (server.status() == ccm::testing::PostgresServer::Status::Unavailable) GTEST_SKIP() << server.message();
      ASSERT_EQ(server.status(), ccm::testing::PostgresServer::Status::Running) << server.message();
      database_ = server.createDatabase();
      store_ = R"({"driver": "postgresql", "postgresql": {"connection": ")" + server.connectionString(database_) +
               R"("}})";
    } else {
      store_ = R"({"driver": "sqlite", "sqlite": {"path": ")" + (dir_ / "gw.db").string() + R"("}})";
    }
  }
  void TearDown() override {
    gateway_.reset();
    fs::remove_all(dir_);
  }

  void start(int reconcile_interval_ms = 3600000) {
    const auto file = dir_ / "gateway.json";
    std::ofstream(file) << R"({
  "server": {"host": "127.0.0.1", "port": 0},
  "plugins": {"directories": [")" << kPluginDir << R"("]},
  "store": )" << store_ << R"(,
  "engine": {"reconcile_interval_ms": )" << reconcile_interval_ms << R"(},
  "sinks": []
})";
    gateway_ = std::make_unique<ChildProcess>(std::vector<std::string>{kGateway, "--config", file.string()});
    const auto port = waitForListeningPort(*gateway_, std::chrono::seconds(60));
    ASSERT_TRUE(port) << gateway_->stderrText();
    port_ = *port;
  }

  HttpReply post(const std::string& path, const std::string& body = "{}") { return httpCall(port_, "POST", path, body); }
  HttpReply get(const std::string& path) { return httpCall(port_, "GET", path); }

  std::string createdId(const HttpReply& reply) {
    EXPECT_EQ(reply.status, 201) << reply.body;
    auto doc = parse(reply.body);
    return doc.IsObject() && doc.HasMember("id") ? doc["id"].GetString() : "";
  }
  std::string state(const std::string& path) {
    auto doc = parse(get(path).body);
    return doc.IsObject() && doc.HasMember("state") ? doc["state"].GetString() : "?";
  }
  std::vector<std::string> eventTypes(const std::string& subject) {
    auto doc = parse(get("/api/v1/events?limit=1000&subject=" + subject).body);
    std::vector<std::string> types;
    for (const auto& item : doc["items"].GetArray()) types.push_back(item["event"]["type"].GetString());
    return types;
  }
  std::string newDefinition(const std::string& extra = "") {
    return createdId(post("/api/v1/definitions",
                          R"({"name": "two-routers", "lab_yaml": )" + jsonString(kLabYaml) + extra + "}"));
  }
  std::string runningWorker(int capacity = 10) {
    const auto id = createdId(post("/api/v1/workers", R"({"name": "cml-1", "template_name": "cml-large",
      "public_address": "203.0.113.10", "private_address": "10.0.0.10",
      "port_range_start": 5000, "port_range_end": 5010, "capacity": )" + std::to_string(capacity) + "}"));
    EXPECT_EQ(post("/api/v1/workers/" + id + "/provisioning").status, 200);
    EXPECT_EQ(post("/api/v1/workers/" + id + "/running").status, 200);
    return id;
  }

  static inline int counter_ = 0;
  fs::path dir_;
  std::string store_;
  std::string database_;
  std::unique_ptr<ChildProcess> gateway_;
  std::uint16_t port_ = 0;
};

TEST_P(LifecycleApi, DrivesASessionAndItsWorkerThroughEveryState) {
  start();
  const auto definition = newDefinition();
  const auto worker = runningWorker();
  const auto session = createdId(post("/api/v1/sessions", R"({"definition_id": ")" + definition +
                                                              R"(", "owner_id": "student-42"})"));
  const std::string s = "/api/v1/sessions/" + session;
  EXPECT_EQ(state(s), "pending");

  auto scheduled = post(s + "/schedule", R"({"worker_id": ")" + worker + R"("})");
  ASSERT_EQ(scheduled.status, 200) << scheduled.body;
  auto doc = parse(scheduled.body);
  EXPECT_EQ(doc["allocated_ports"]["r1/serial:5000"].GetInt(), 5000);
  EXPECT_EQ(doc["allocated_ports"]["r1/vnc:5900"].GetInt(), 5001);
  EXPECT_EQ(doc["allocated_ports"]["r2/serial:5000"].GetInt(), 5002);

  EXPECT_EQ(post(s + "/instantiate", R"({"cml_lab_id": "lab-77"})").status, 200);
  EXPECT_EQ(post(s + "/ready", R"({"login_url": "https://lds.example/l/1"})").status, 200);
  EXPECT_EQ(post(s + "/running").status, 200);
  EXPECT_EQ(post(s + "/collect").status, 200);
  EXPECT_EQ(post(s + "/grading").status, 200);
  auto graded = post(s + "/score", R"({"score": 87.5, "passed": true, "report_id": "rep-1"})");
  ASSERT_EQ(graded.status, 200) << graded.body;
  EXPECT_EQ(post(s + "/stop").status, 200);
  auto stopped = post(s + "/stopped");
  ASSERT_EQ(stopped.status, 200);
  EXPECT_EQ(parse(stopped.body)["allocated_ports"].MemberCount(), 0u);
  auto terminated = post(s + "/terminate");
  ASSERT_EQ(terminated.status, 200);
  EXPECT_STREQ(parse(terminated.body)["final_state"].GetString(), "COMPLETED");

  EXPECT_EQ(eventTypes(session),
            (std::vector<std::string>{
                "ccm.lablet.session.pending", "ccm.lablet.session.scheduled", "ccm.lablet.session.instantiating",
                "ccm.lablet.session.ready", "ccm.lablet.user_session.created", "ccm.lablet.session.running",
                "ccm.lablet.session.collecting", "ccm.lablet.grading_session.created", "ccm.lablet.session.grading",
                "ccm.lablet.score_report.created", "ccm.lablet.session.graded", "ccm.lablet.session.stopping",
                "ccm.lablet.session.stopped", "ccm.lablet.session.terminated"}));

  const std::string w = "/api/v1/workers/" + worker;
  for (const char* verb : {"drain", "stop", "stopped", "terminate"}) {
    EXPECT_EQ(post(w + "/" + verb).status, 200) << verb;
  }
  EXPECT_EQ(state(w), "terminated");
  EXPECT_EQ(eventTypes(worker),
            (std::vector<std::string>{"ccm.worker.pending", "ccm.worker.provisioning.started", "ccm.worker.running",
                                      "ccm.worker.draining", "ccm.worker.stopping", "ccm.worker.stopped",
                                      "ccm.worker.terminated"}));
}

TEST_P(LifecycleApi, EveryLoggedEventMatchesItsPublishedSchema) {
  start();
  const auto definition = newDefinition();
  post("/api/v1/definitions/" + definition + "/versions", R"({"lab_yaml": )" + jsonString(kLabYaml) + "}");
  const auto worker = runningWorker();
  const auto session = createdId(post("/api/v1/sessions", R"({"definition_id": ")" + definition +
                                                              R"(", "owner_id": "o"})"));
  const std::string s = "/api/v1/sessions/" + session;
  post(s + "/schedule", R"({"worker_id": ")" + worker + R"("})");
  post(s + "/instantiate");
  post(s + "/ready", R"({"login_url": "https://x"})");
  post(s + "/running");
  post(s + "/collect");
  post(s + "/grading");
  post(s + "/score", R"({"score": 10, "passed": false})");
  post(s + "/stop");
  post(s + "/stopped");
  post(s + "/terminate");
  const auto scaled = createdId(post("/api/v1/workers/scale-up", R"({"name": "cml-2", "template_name": "t",
      "private_address": "10.0.0.11", "reason": "queue depth"})"));
  post("/api/v1/workers/" + scaled + "/provisioning");
  post("/api/v1/workers/" + scaled + "/running");
  post("/api/v1/workers/" + scaled + "/scale-down", R"({"reason": "idle"})");

  auto events = parse(get("/api/v1/events?limit=1000").body);
  ASSERT_TRUE(events.IsObject());
  std::set<std::string> seen;
  for (const auto& item : events["items"].GetArray()) {
    const std::string type = item["event"]["type"].GetString();
    seen.insert(type);
    auto schema_reply = get("/api/v1/schemas/" + type);
    ASSERT_EQ(schema_reply.status, 200) << type;
    auto schema = ccm::core::JsonSchema::compile(schema_reply.body, type);
    ASSERT_TRUE(schema) << schema.error().message;
    auto error = schema.value()->validate(item["event"]["data"]);
    EXPECT_FALSE(error) << type << ": " << (error ? error->message : "");
    EXPECT_STREQ(item["event"]["datacontenttype"].GetString(), "application/json");
  }
  EXPECT_GE(seen.size(), 20u);
  EXPECT_TRUE(seen.count("ccm.scaling.up.completed"));
  EXPECT_TRUE(seen.count("ccm.lablet.definition.version.created"));
}

TEST_P(LifecycleApi, IllegalTransitionIsRefusedWith409AndChangesNothing) {
  start();
  const auto definition = newDefinition();
  const auto session = createdId(post("/api/v1/sessions", R"({"definition_id": ")" + definition +
                                                              R"(", "owner_id": "o"})"));
  auto refused = post("/api/v1/sessions/" + session + "/ready", R"({"login_url": "https://x"})");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.content_type, "application/problem+json");
  EXPECT_THAT(refused.body, HasSubstr("cannot go from \\\"pending\\\" to \\\"ready\\\""));
  EXPECT_THAT(refused.body, HasSubstr("\\\"scheduled\\\", \\\"stopping\\\""));
  EXPECT_EQ(state("/api/v1/sessions/" + session), "pending");
  EXPECT_EQ(eventTypes(session), std::vector<std::string>{"ccm.lablet.session.pending"});
}

TEST_P(LifecycleApi, SchedulingOntoAWorkerThatIsNotRunningIsRefusedWithTheReason) {
  start();
  const auto definition = newDefinition();
  const auto worker = createdId(post("/api/v1/workers", R"({"name": "w", "private_address": "10.0.0.1"})"));
  const auto session = createdId(post("/api/v1/sessions", R"({"definition_id": ")" + definition +
                                                              R"(", "owner_id": "o"})"));
  auto refused = post("/api/v1/sessions/" + session + "/schedule", R"({"worker_id": ")" + worker + R"("})");
  EXPECT_EQ(refused.status, 409);
  EXPECT_THAT(refused.body, HasSubstr(worker));
  EXPECT_THAT(refused.body, HasSubstr("pending"));
}

TEST_P(LifecycleApi, PortsAreUniquePerWorkerAndRunOutWithAClearReason) {
  start();
  const auto definition = newDefinition();
  const auto worker = runningWorker();  // ports 5000-5010: room for three sessions of three ports
  std::set<int> ports;
  for (int i = 0; i < 3; ++i) {
    const auto session = createdId(post("/api/v1/sessions", R"({"definition_id": ")" + definition +
                                                                R"(", "owner_id": "o"})"));
    auto reply = post("/api/v1/sessions/" + session + "/schedule", R"({"worker_id": ")" + worker + R"("})");
    ASSERT_EQ(reply.status, 200) << reply.body;
    for (const auto& port : parse(reply.body)["allocated_ports"].GetObject()) ports.insert(port.value.GetInt());
  }
  EXPECT_EQ(ports.size(), 9u);
  const auto fourth = createdId(post("/api/v1/sessions", R"({"definition_id": ")" + definition +
                                                             R"(", "owner_id": "o"})"));
  auto refused = post("/api/v1/sessions/" + fourth + "/schedule", R"({"worker_id": ")" + worker + R"("})");
  EXPECT_EQ(refused.status, 409);
  EXPECT_THAT(refused.body, HasSubstr("free ports"));
}

TEST_P(LifecycleApi, BadRequestsGetProblemDetailsNamingTheField) {
  start();
  auto missing = post("/api/v1/sessions", R"({"owner_id": "o"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(missing.body, HasSubstr("missing required property \\\"definition_id\\\""));
  auto wrong_type = post("/api/v1/workers", R"({"name": "w", "capacity": "ten"})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_THAT(wrong_type.body, HasSubstr("/capacity: expected integer, got string"));
  auto not_json = post("/api/v1/definitions", "{nope");
  EXPECT_EQ(not_json.status, 400);
  auto media = httpCall(port_, "POST", "/api/v1/definitions", "name=x", "application/x-www-form-urlencoded");
  EXPECT_EQ(media.status, 415);
  EXPECT_EQ(get("/api/v1/sessions/does-not-exist").status, 404);
  auto unknown_definition = post("/api/v1/sessions", R"({"definition_id": "nope", "owner_id": "o"})");
  EXPECT_EQ(unknown_definition.status, 422);
  auto bad_lab = post("/api/v1/definitions", R"({"name": "x", "lab_yaml": "nodes:\n  - id: n0\n    tags: [serial:abc]\n"})");
  EXPECT_EQ(bad_lab.status, 422);
  EXPECT_THAT(bad_lab.body, HasSubstr("n0"));
}

// A body nested 100 000 levels deep (200 KB) once took a worker 34 s of CPU
// in the recursive schema check, and 300 000 levels crashed the gateway.
TEST_P(LifecycleApi, DeeplyNestedBodiesAreRefusedOnEveryJsonRoute) {
  start();
  const auto definition = newDefinition();
  const auto worker = runningWorker();
  const auto session = createdId(post("/api/v1/sessions", R"({"definition_id": ")" + definition +
                                                              R"(", "owner_id": "student-42"})"));
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"/api/v1/definitions", R"({"name": "deep", "lab_yaml": "x", "pod_settings": )" + deep + "}"},
      {"/api/v1/definitions/" + definition + "/versions", R"({"lab_yaml": "x", "pod_settings": )" + deep + "}"},
      {"/api/v1/sessions", R"({"definition_id": )" + deep + "}"},
      {"/api/v1/sessions/" + session + "/stop", R"({"reason": )" + deep + "}"},
      {"/api/v1/workers", R"({"name": )" + deep + "}"},
      {"/api/v1/workers/scale-up", R"({"name": )" + deep + "}"},
      {"/api/v1/workers/" + worker + "/drain", R"({"reason": )" + deep + "}"},
      {"/api/v1/deadletters/replay", R"({"sink": )" + deep + "}"},
      {"/api/v1/admin/reload", deep},
  };
  for (const auto& [path, body] : calls) {
    const auto reply = post(path, body);
    EXPECT_EQ(reply.status, 400) << path << ": " << reply.body.substr(0, 300);
    EXPECT_THAT(reply.body, HasSubstr("deeper than server.max_json_depth (64 levels)")) << path;
  }
  const auto purge = httpCall(port_, "DELETE", "/api/v1/deadletters", R"({"sink": )" + deep + "}");
  EXPECT_EQ(purge.status, 400) << purge.body;
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(parse(get("/api/v1/definitions").body)["items"].Size(), 1u) << "nothing deep was stored";
  EXPECT_EQ(state("/api/v1/sessions/" + session), "pending");
  EXPECT_EQ(state("/api/v1/workers/" + worker), "running");
}

TEST_P(LifecycleApi, AcceptedChangeSurvivesAKillBeforeAnythingWasDelivered) {
  start();
  const auto definition = newDefinition();
  const auto session = createdId(post("/api/v1/sessions", R"({"definition_id": ")" + definition +
                                                              R"(", "owner_id": "o"})"));
  gateway_->signal(SIGKILL);
  ASSERT_TRUE(gateway_->waitForExit(std::chrono::seconds(10)));
  start();
  EXPECT_EQ(state("/api/v1/sessions/" + session), "pending");
  EXPECT_EQ(eventTypes(session), std::vector<std::string>{"ccm.lablet.session.pending"});
}

TEST_P(LifecycleApi, GradedSessionsAreStoppedAndTerminatedAutomatically) {
  start(100);
  const auto definition = newDefinition();
  const auto worker = runningWorker();
  const auto session = createdId(post("/api/v1/sessions", R"({"definition_id": ")" + definition +
                                                              R"(", "owner_id": "o"})"));
  const std::string s = "/api/v1/sessions/" + session;
  post(s + "/schedule", R"({"worker_id": ")" + worker + R"("})");
  post(s + "/instantiate");
  post(s + "/ready", R"({"login_url": "https://x"})");
  post(s + "/running");
  post(s + "/collect");
  post(s + "/grading");
  ASSERT_EQ(post(s + "/score", R"({"score": 50, "passed": true})").status, 200);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (state(s) != "terminated" && std::chrono::steady_clock::now() < deadline) {
    gateway_->waitForStderrLine("reconciled sessions", std::chrono::milliseconds(200));
  }
  auto doc = parse(get(s).body);
  EXPECT_STREQ(doc["state"].GetString(), "terminated");
  EXPECT_STREQ(doc["final_state"].GetString(), "COMPLETED");
  EXPECT_EQ(doc["allocated_ports"].MemberCount(), 0u);
}

TEST_P(LifecycleApi, ExpiredSessionsStopWithFinalStateExpired) {
  start(100);
  const auto definition = newDefinition(R"(, "max_duration_seconds": 1)");
  const auto session = createdId(post("/api/v1/sessions", R"({"definition_id": ")" + definition +
                                                              R"(", "owner_id": "o"})"));
  const std::string s = "/api/v1/sessions/" + session;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (state(s) != "terminated" && std::chrono::steady_clock::now() < deadline) {
    gateway_->waitForStderrLine("reconciled sessions", std::chrono::milliseconds(200));
  }
  auto doc = parse(get(s).body);
  EXPECT_STREQ(doc["state"].GetString(), "terminated");
  EXPECT_STREQ(doc["final_state"].GetString(), "EXPIRED");
}

TEST_P(LifecycleApi, EventLogPagesWithAfterAndFiltersByTypeGlob) {
  start();
  newDefinition();
  newDefinition();
  runningWorker();
  auto first = parse(get("/api/v1/events?limit=2").body);
  ASSERT_EQ(first["items"].Size(), 2u);
  const auto next = first["next_after"].GetInt64();
  auto rest = parse(get("/api/v1/events?after=" + std::to_string(next)).body);
  EXPECT_EQ(rest["items"][0]["sequence"].GetInt64(), next + 1);
  auto workers = parse(get("/api/v1/events?type=ccm.worker.*").body);
  EXPECT_EQ(workers["items"].Size(), 3u);
  for (const auto& item : workers["items"].GetArray()) {
    EXPECT_THAT(item["event"]["type"].GetString(), ::testing::StartsWith("ccm.worker."));
  }
  EXPECT_EQ(get("/api/v1/events?after=-1").status, 400);
}

INSTANTIATE_TEST_SUITE_P(Stores, LifecycleApi, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
