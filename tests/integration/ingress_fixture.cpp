#include "ingress_fixture.hpp"

#include <unistd.h>

#include <fstream>

#include "http_call.hpp"
#include "ingress/credentials.hpp"
#include "postgres_server.hpp"
#include "store/open_store.hpp"

namespace ccm::testing {
namespace {

const std::string kGateway = CCM_GATEWAY_EXECUTABLE;
const std::string kPluginDir = CCM_PLUGIN_OUTPUT_DIR;
int counter = 0;

// JSON-escaped: it goes into a request body as a string.
const char* kLabYaml = R"(lab:\n  title: one router\n  version: 0.2.2\nnodes:\n)"
                       R"(  - id: n0\n    label: r1\n    node_definition: iosv\n    tags: [serial:5000]\n)";

}  // namespace

rapidjson::Document parseJson(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  return doc;
}

std::string structuredEvent(const std::string& type, const std::string& id, const std::string& data,
                            const std::string& source) {
  return R"({"specversion": "1.0", "id": ")" + id + R"(", "source": ")" + source + R"(", "type": ")" + type +
         R"(", "datacontenttype": "application/json", "data": )" + data + "}";
}

void IngressTest::SetUp() {
  dir_ = std::filesystem::temp_directory_path() / ("ccm-ingress-" + std::to_string(::getpid()) + "-" +
                                                   std::to_string(counter++));
  std::filesystem::create_directories(dir_);
  ccm::core::StoreConfig config;
  if (GetParam() == "postgresql") {
    auto& server = PostgresServer::shared();
    if (server.status() == PostgresServer::Status::Unavailable) GTEST_SKIP() << server.message();
    ASSERT_EQ(server.status(), PostgresServer::Status::Running) << server.message();
    database_ = server.createDatabase();
    store_json_ = R"({"driver": "postgresql", "postgresql": {"connection": ")" + server.connectionString(database_) +
                  R"("}})";
    config.driver = ccm::core::StoreDriver::Postgresql;
    config.postgresql.connection = server.connectionString(database_);
  } else {
    store_json_ = R"({"driver": "sqlite", "sqlite": {"path": ")" + (dir_ / "gw.db").string() + R"("}})";
    config.sqlite.path = dir_ / "gw.db";
  }
  auto opened = ccm::core::openStore(config);
  ASSERT_TRUE(opened) << opened.error().message;
  store_ = std::move(opened.value());
}

void IngressTest::TearDown() {
  gateway_.reset();
  store_.reset();
  std::filesystem::remove_all(dir_);
}

void IngressTest::start(const std::string& ingress, int reconcile_interval_ms, const std::string& sinks) {
  if (gateway_) {
    gateway_->signal(SIGTERM);
    gateway_->waitForExit(std::chrono::seconds(20));
  }
  const auto file = dir_ / "gateway.json";
  std::ofstream(file) << R"({
  "server": {"host": "127.0.0.1", "port": 0, "threads": 32},
  "plugins": {"directories": [")" << kPluginDir << R"("]},
  "store": )" << store_json_ << R"(,
  "engine": {"reconcile_interval_ms": )" << reconcile_interval_ms << R"(},
  "ingress": )" << ingress << R"(,
  "sinks": )" << sinks << R"(,
  "sources": [
    {"name": "lds", "plugin": "lds", "auth": {"bearer_token": "env:CCM_TEST_LDS_TOKEN"}},
    {"name": "grading", "plugin": "grading", "auth": {"hmac_secret": "env:CCM_TEST_GRADING_SECRET"}}
  ]
})";
  gateway_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{kGateway, "--config", file.string()},
      std::vector<std::string>{std::string("CCM_TEST_LDS_TOKEN=") + kLdsToken,
                               std::string("CCM_TEST_GRADING_SECRET=") + kGradingSecret,
                               "CCM_TEST_FORWARD_TOKEN=forward-token"});
  const auto port = waitForListeningPort(*gateway_, std::chrono::seconds(60));
  ASSERT_TRUE(port) << gateway_->stderrText();
  port_ = *port;
}

Reply IngressTest::postEvents(const std::string& body, const std::string& content_type, const HeaderList& headers,
                              bool chunked) {
  auto reply = httpCall(port_, "POST", "/api/v1/events", body, content_type, {headers, chunked});
  return {reply.status, reply.content_type, reply.header("WWW-Authenticate"), reply.body};
}

Reply IngressTest::postLds(const std::string& body, const std::string& content_type) {
  return postEvents(body, content_type, {{"Authorization", std::string("Bearer ") + kLdsToken}});
}

Reply IngressTest::postGrading(const std::string& body, const std::string& content_type) {
  return postEvents(body, content_type, {{"X-Signature", "sha256=" + ccm::core::hmacSha256Hex(kGradingSecret, body)}});
}

Reply IngressTest::get(const std::string& path) {
  auto reply = httpCall(port_, "GET", path);
  return {reply.status, reply.content_type, "", reply.body};
}

Reply IngressTest::postApi(const std::string& path, const std::string& body) {
  auto reply = httpCall(port_, "POST", path, body);
  return {reply.status, reply.content_type, "", reply.body};
}

std::string IngressTest::readySession(bool stop_at_instantiating) {
  auto definition = parseJson(postApi("/api/v1/definitions", R"({"name": "lab", "lab_yaml": ")" +
                                                                  std::string(kLabYaml) + "\"}").body);
  if (worker_.empty()) {
    auto worker = parseJson(postApi("/api/v1/workers", R"({"name": "cml-1", "private_address": "10.0.0.10",
      "port_range_start": 5000, "port_range_end": 5999, "capacity": 100})").body);
    worker_ = worker["id"].GetString();
    postApi("/api/v1/workers/" + worker_ + "/provisioning");
    postApi("/api/v1/workers/" + worker_ + "/running");
  }
  auto created = parseJson(postApi("/api/v1/sessions", R"({"definition_id": ")" +
                                                            std::string(definition["id"].GetString()) +
                                                            R"(", "owner_id": "student-1"})").body);
  const std::string id = created["id"].GetString();
  const std::string s = "/api/v1/sessions/" + id;
  EXPECT_EQ(postApi(s + "/schedule", R"({"worker_id": ")" + worker_ + R"("})").status, 200);
  EXPECT_EQ(postApi(s + "/instantiate", R"({"cml_lab_id": "lab-1"})").status, 200);
  if (!stop_at_instantiating) {
    EXPECT_EQ(postApi(s + "/ready", R"({"login_url": "https://lds.example/l/1"})").status, 200);
  }
  return id;
}

rapidjson::Document IngressTest::session(const std::string& id) {
  return parseJson(get("/api/v1/sessions/" + id).body);
}

std::string IngressTest::sessionState(const std::string& id) {
  auto doc = session(id);
  return doc.IsObject() && doc.HasMember("state") ? doc["state"].GetString() : "?";
}

std::vector<std::string> IngressTest::eventTypes(const std::string& subject) {
  auto doc = parseJson(get("/api/v1/events?limit=1000&subject=" + subject).body);
  std::vector<std::string> types;
  for (const auto& item : doc["items"].GetArray()) types.push_back(item["event"]["type"].GetString());
  return types;
}

rapidjson::Document IngressTest::eventsOfType(const std::string& glob) {
  return parseJson(get("/api/v1/events?limit=1000&type=" + glob).body);
}

ccm::core::Store& IngressTest::store() { return *store_; }

}  // namespace ccm::testing
