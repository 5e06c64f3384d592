// GET /api/v1/events/stream against the real ccm-gateway: events as
// Server-Sent Events over a real socket, read as they arrive.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "child_process.hpp"
#include "http_call.hpp"
#include "sse_client.hpp"
#include "wait_until.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ccm::testing::ChildProcess;
using ccm::testing::httpCall;
using ccm::testing::HttpCallExtras;
using ccm::testing::HttpReply;
using ccm::testing::runCommand;
using ccm::testing::SseClient;
using ccm::testing::waitUntil;
using ::testing::HasSubstr;

const std::string kGateway = CCM_GATEWAY_EXECUTABLE;
const std::string kPluginDir = CCM_PLUGIN_OUTPUT_DIR;
const std::string kLabYaml =
    "lab:\\n  title: one router\\nnodes:\\n  - id: n0\\n    label: r1\\n    node_definition: iosv\\n";
const std::string kApiKey = "console-test-key";

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  return doc;
}

class EventStream : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccm-stream-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    gateway_.reset();
    fs::remove_all(dir_);
  }

  void start(const std::string& server_extra = "", const std::string& store_extra = "") {
    const auto file = dir_ / "gateway.json";
    std::ofstream(file) << R"({
  "server": {"host": "127.0.0.1", "port": 0)"
                        << server_extra << R"(},
  "plugins": {"directories": [")"
                        << kPluginDir << R"("]},
  "store": {"sqlite": {"path": ")"
                        << (dir_ / "gw.db").string() << R"("})" << store_extra << R"(},
  "sinks": []
})";
    const auto digest = runCommand({"/bin/sh", "-c", "printf %s \"$KEY\" | sha256sum"}, {"KEY=" + kApiKey});
    gateway_ = std::make_unique<ChildProcess>(std::vector<std::string>{kGateway, "--config", file.string()},
                                              std::vector<std::string>{"CCM_KEY_SHA256=" + digest.out.substr(0, 64)});
    const auto port = waitForListeningPort(*gateway_, 60s);
    ASSERT_TRUE(port) << gateway_->stderrText();
    port_ = *port;
  }

  std::string created(const HttpReply& reply) {
    EXPECT_EQ(reply.status, 201) << reply.body;
    auto doc = parse(reply.body);
    return doc.IsObject() && doc.HasMember("id") ? doc["id"].GetString() : "";
  }
  std::string newDefinition(const std::string& name = "lab") {
    return created(httpCall(port_, "POST", "/api/v1/definitions",
                            R"({"name": ")" + name + R"(", "lab_yaml": ")" + kLabYaml + R"("})"));
  }
  std::string newWorker() {
    return created(httpCall(port_, "POST", "/api/v1/workers", R"({"name": "cml-1", "template_name": "cml-large",
      "public_address": "203.0.113.10", "private_address": "10.0.0.10",
      "port_range_start": 5000, "port_range_end": 5010, "capacity": 4})"));
  }
  // The sequences of the log's events of `type`, oldest first.
  std::vector<std::string> sequencesOf(const std::string& type) {
    auto doc = parse(httpCall(port_, "GET", "/api/v1/events?limit=1000&type=" + type).body);
    std::vector<std::string> out;
    for (const auto& item : doc["items"].GetArray()) out.push_back(std::to_string(item["sequence"].GetInt64()));
    return out;
  }
  double metric(const std::string& name) {
    const auto text = httpCall(port_, "GET", "/metrics").body;
    std::smatch match;
    if (!std::regex_search(text, match, std::regex("\n" + name + " ([0-9.e+]+)"))) return -1;
    return std::stod(match[1]);
  }

  fs::path dir_;
  std::unique_ptr<ChildProcess> gateway_;
  std::uint16_t port_ = 0;
};

TEST_F(EventStream, DeliversEventsCommittedAfterItOpened) {
  start();
  newDefinition("before");
  SseClient client(port_, "/api/v1/events/stream");
  ASSERT_EQ(client.status(), 200) << client.head();
  EXPECT_THAT(client.head(), HasSubstr("Content-Type: text/event-stream"));
  EXPECT_THAT(client.head(), HasSubstr("Transfer-Encoding: chunked"));
  const auto id = newDefinition("after");

  const auto event = client.next();
  ASSERT_TRUE(event) << client.body();
  EXPECT_EQ(event->event, "ccm.lablet.definition.created");
  EXPECT_EQ(event->id, sequencesOf("ccm.lablet.definition.created").at(1));
  EXPECT_EQ(event->data.find('\n'), std::string::npos) << "one data line";
  auto data = parse(event->data);
  ASSERT_TRUE(data.IsObject()) << event->data;
  EXPECT_EQ(std::string(data["subject"].GetString()), id);
  EXPECT_EQ(std::string(data["data"]["name"].GetString()), "after");
}

TEST_F(EventStream, SendsOnlyTheEventsItsFiltersSelect) {
  start();
  const auto watched = newWorker();
  SseClient client(port_, "/api/v1/events/stream?type=ccm.worker.*&subject=" + watched);
  ASSERT_EQ(client.status(), 200);
  newDefinition();  // another type
  newWorker();      // another subject
  ASSERT_EQ(httpCall(port_, "POST", "/api/v1/workers/" + watched + "/provisioning").status, 200);

  const auto event = client.next();
  ASSERT_TRUE(event) << client.body();
  EXPECT_EQ(event->event, "ccm.worker.provisioning.started");
  EXPECT_THAT(event->data, HasSubstr("\"subject\":\"" + watched + "\""));
  EXPECT_FALSE(client.next(1s)) << "nothing else matches";
}

TEST_F(EventStream, ResumesFromLastEventIdWithExactlyTheMissedEventsInOrder) {
  start();
  for (const auto* name : {"one", "two", "three"}) newDefinition(name);
  const auto sequences = sequencesOf("ccm.lablet.definition.created");
  ASSERT_EQ(sequences.size(), 3u);

  // Last-Event-ID (where a reconnecting client got to) wins over after=.
  SseClient client(port_, "/api/v1/events/stream?after=0&type=ccm.lablet.definition.*",
                   {{"Last-Event-ID", sequences[0]}});
  ASSERT_EQ(client.status(), 200);
  for (std::size_t i = 1; i < 3; ++i) {
    const auto event = client.next();
    ASSERT_TRUE(event) << client.body();
    EXPECT_EQ(event->id, sequences[i]);
  }
  newDefinition("four");
  const auto live = client.next();
  ASSERT_TRUE(live) << client.body();
  EXPECT_THAT(live->data, HasSubstr("\"name\":\"four\""));
  EXPECT_FALSE(client.next(500ms)) << "each event once";
}

TEST_F(EventStream, RefusesAStreamOverTheLimitWith503) {
  start(R"(, "event_streams": {"max_streams": 2})");
  auto first = std::make_unique<SseClient>(port_, "/api/v1/events/stream");
  SseClient second(port_, "/api/v1/events/stream");
  ASSERT_EQ(first->status(), 200);
  ASSERT_EQ(second.status(), 200);

  const auto refused = httpCall(port_, "GET", "/api/v1/events/stream");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.content_type, "application/problem+json");
  EXPECT_THAT(refused.body, HasSubstr("server.event_streams.max_streams (2)"));
  EXPECT_EQ(refused.header("Retry-After"), "5");

  first.reset();  // a client that leaves frees its place
  EXPECT_TRUE(waitUntil(10s, [&] {
    SseClient third(port_, "/api/v1/events/stream");
    return third.status() == 200;
  }));
}

TEST_F(EventStream, DisconnectsAClientThatStopsReading) {
  start(R"(, "request_timeout_ms": 1000, "event_streams": {"max_buffer_bytes": 8192})");
  const std::string long_name(4000, 'x');
  for (int i = 0; i < 60; ++i) newDefinition(long_name);  // about 250 KB of events to send

  SseClient stalled(port_, "/api/v1/events/stream?after=0", {}, 4096);
  ASSERT_EQ(stalled.status(), 200);
  // It reads nothing more: the gateway buffers at most its limit, then lets it go.
  EXPECT_TRUE(waitUntil(15s, [&] { return metric("ccm_event_streams_dropped_total") == 1; }))
      << httpCall(port_, "GET", "/metrics").body;
  EXPECT_TRUE(waitUntil(5s, [&] { return metric("ccm_event_streams") == 0; }));
  EXPECT_FALSE(stalled.waitForEnd(20s) && stalled.endedCleanly()) << "cut off, not ended";
}

TEST_F(EventStream, RefusesAClientWithoutCredentials) {
  start(R"(, "auth": {"api_keys": [{"name": "console", "key_sha256": "env:CCM_KEY_SHA256", "roles": ["viewer"]}]})");
  SseClient anonymous(port_, "/api/v1/events/stream");
  EXPECT_EQ(anonymous.status(), 401);
  EXPECT_THAT(anonymous.head(), HasSubstr("WWW-Authenticate: Bearer"));

  SseClient viewer(port_, "/api/v1/events/stream", {{"Authorization", "Bearer " + kApiKey}});
  EXPECT_EQ(viewer.status(), 200) << viewer.head();
}

TEST_F(EventStream, AnswersGoneWhenTheResumePointIsNoLongerKept) {
  start("", R"(, "retention": {"max_events": 2, "interval_ms": 50})");
  for (int i = 0; i < 4; ++i) newDefinition();
  ASSERT_TRUE(waitUntil(10s, [&] { return httpCall(port_, "GET", "/api/v1/events?after=0").status == 410; }));

  SseClient client(port_, "/api/v1/events/stream", {{"Last-Event-ID", "1"}, {"Connection", "close"}});
  EXPECT_EQ(client.status(), 410) << client.head();
  client.waitForEnd(5s);
  EXPECT_THAT(client.body(), HasSubstr("\"first_sequence\":3"));
}

TEST_F(EventStream, RefusesAResumePointThatIsNotASequence) {
  start();
  SseClient client(port_, "/api/v1/events/stream", {{"Last-Event-ID", "x1"}, {"Connection", "close"}});
  EXPECT_EQ(client.status(), 400);
  client.waitForEnd(5s);
  EXPECT_THAT(client.body(), HasSubstr("Last-Event-ID must be a non-negative sequence number, got \\\"x1\\\""));
}

TEST_F(EventStream, EndsItsStreamsCleanlyOnShutdown) {
  start();
  SseClient client(port_, "/api/v1/events/stream");
  ASSERT_EQ(client.status(), 200);
  gateway_->signal(SIGTERM);
  EXPECT_TRUE(client.waitForEnd(15s));
  EXPECT_TRUE(client.endedCleanly()) << client.body();
  EXPECT_EQ(gateway_->waitForExit(15s), 0) << gateway_->stderrText();
}

TEST_F(EventStream, EndsItsStreamsCleanlyOnReload) {
  start();
  SseClient client(port_, "/api/v1/events/stream");
  ASSERT_EQ(client.status(), 200);
  ASSERT_EQ(httpCall(port_, "POST", "/api/v1/admin/reload").status, 200);
  EXPECT_TRUE(client.waitForEnd(10s));
  EXPECT_TRUE(client.endedCleanly()) << client.body();
  // A reconnecting client is served again.
  SseClient again(port_, "/api/v1/events/stream");
  EXPECT_EQ(again.status(), 200);
}

TEST_F(EventStream, SendsAHeartbeatCommentWhenNoEventComes) {
  start(R"(, "event_streams": {"heartbeat_seconds": 1})");
  SseClient client(port_, "/api/v1/events/stream");
  ASSERT_EQ(client.status(), 200);
  EXPECT_FALSE(client.next(2500ms));
  EXPECT_THAT(client.comments(), ::testing::Contains("heartbeat")) << client.body();
}

}  // namespace
