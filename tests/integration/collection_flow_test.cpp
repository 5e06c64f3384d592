// Phase 4 task 4.12, end to end with real processes on 127.0.0.1: the
// gateway with its pod-generator and assessment-client plugins, a fake
// Keycloak and a fake Assessment Platform that check tokens and bodies.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "child_process.hpp"
#include "fakes/assessment_platform_fake.hpp"
#include "fakes/cloudevents_receiver.hpp"
#include "fakes/keycloak_fake.hpp"
#include "ingress/credentials.hpp"
#include "http_call.hpp"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ccm::fakes::AssessmentPlatformFake;
using ccm::fakes::KeycloakFake;
using ccm::fakes::Reply;
using ccm::testing::ChildProcess;
using ccm::testing::httpCall;
using ccm::testing::HttpReply;

const std::string kGateway = CCM_GATEWAY_EXECUTABLE;
const std::string kPluginDir = CCM_PLUGIN_OUTPUT_DIR;

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  return doc;
}

class CollectionFlow : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccm-collect-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "gateway.json") << R"({
  "server": {"host": "127.0.0.1", "port": 0},
  "plugins": {"directories": [")" << kPluginDir << R"("]},
  "store": {"sqlite": {"path": ")" << (dir_ / "gw.db").string() << R"("}},
  "engine": {"reconcile_interval_ms": 200, "assessment_part_id": "part-7"},
  "sinks": [{"name": "bus", "plugin": "http", "config": {"url": ")" << receiver_.url("/bus") << R"("}}],
  "sources": [
    {"name": "lds", "plugin": "lds", "auth": {"bearer_token": "env:CCM_TEST_LDS_TOKEN"}},
    {"name": "grading", "plugin": "grading", "auth": {"hmac_secret": "env:CCM_TEST_GRADING_SECRET"}}],
  "pod_generator": {"name": "pods", "plugin": "pod-generator"},
  "assessment_client": {"name": "platform", "plugin": "assessment-client", "config": {
    "base_url": ")" << platform_.baseUrl() << R"(", "token_url": ")" << keycloak_.tokenUrl() << R"(",
    "client_id": "ccm-gateway", "client_secret": "env:CCM_TEST_CLIENT_SECRET",
    "retry": {"max_attempts": 2, "initial_backoff_ms": 10}}}
})";
    start();
  }
  // Runs the gateway on the fixture's config and database (again after a kill).
  void start() {
    gateway_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kGateway, "--config", (dir_ / "gateway.json").string()},
        std::vector<std::string>{"CCM_TEST_CLIENT_SECRET=gateway-secret", "CCM_TEST_LDS_TOKEN=lds-token",
                                 "CCM_TEST_GRADING_SECRET=grading-secret"});
    const auto port = waitForListeningPort(*gateway_, std::chrono::seconds(60));
    ASSERT_TRUE(port) << gateway_->stderrText();
    port_ = *port;
  }
  void TearDown() override {
    gateway_.reset();
    fs::remove_all(dir_);
  }

  HttpReply post(const std::string& path, const std::string& body = "{}") { return httpCall(port_, "POST", path, body); }
  std::string id(const HttpReply& reply) {
    EXPECT_LT(reply.status, 300) << reply.body;
    return parse(reply.body)["id"].GetString();
  }

  // A session on a running worker, driven to ready.
  std::string readySession() {
    const auto definition = id(post("/api/v1/definitions", R"({"name": "lab", "lab_yaml":
      "nodes:\n  - id: n0\n    label: r1\n    node_definition: iosv\n    tags: [serial:5000, vnc:5900]\n",
      "pod_settings": {"console": {"authentication": {"username": "cisco", "password": "cisco"}}}})"));
    const auto worker = id(post("/api/v1/workers", R"({"name": "cml", "public_address": "203.0.113.5",
      "private_address": "10.0.0.5", "port_range_start": 6000, "port_range_end": 6010})"));
    post("/api/v1/workers/" + worker + "/provisioning");
    post("/api/v1/workers/" + worker + "/running");
    const auto session = id(post("/api/v1/sessions", R"({"definition_id": ")" + definition + R"(", "owner_id": "o"})"));
    const std::string s = "/api/v1/sessions/" + session;
    EXPECT_EQ(post(s + "/schedule", R"({"worker_id": ")" + worker + R"("})").status, 200);
    EXPECT_EQ(post(s + "/instantiate", R"({"cml_lab_id": "lab-42"})").status, 200);
    EXPECT_EQ(post(s + "/ready", R"({"login_url": "https://lds/x"})").status, 200);
    return session;
  }

  // An inbound CloudEvent in structured mode, with the sender's credentials.
  int sendEvent(const std::string& type, const std::string& data) {
    const std::string body = R"({"specversion":"1.0","id":")" + type + "-" + std::to_string(++sent_) +
                             R"(","source":"urn:test","type":")" + type +
                             R"(","datacontenttype":"application/json","data":)" + data + "}";
    Poco::Net::HTTPClientSession http("127.0.0.1", port_);
    Poco::Net::HTTPRequest request("POST", "/api/v1/events", Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/cloudevents+json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    if (type.starts_with("lds.")) request.set("Authorization", "Bearer lds-token");
    else request.set("X-Signature", "sha256=" + ccm::core::hmacSha256Hex("grading-secret", body));
    http.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::string reply;
    Poco::StreamCopier::copyToString(http.receiveResponse(response), reply);
    EXPECT_EQ(response.getStatus(), 202) << type << ": " << reply;
    return response.getStatus();
  }

  int sent_ = 0;
  ccm::fakes::CloudEventsReceiver receiver_;
  KeycloakFake keycloak_;
  AssessmentPlatformFake platform_{keycloak_, CCM_SOURCE_DIR "/config/schemas/pod.schema.json"};
  fs::path dir_;
  std::unique_ptr<ChildProcess> gateway_;
  std::uint16_t port_ = 0;
};

TEST_F(CollectionFlow, ReadySessionGetsItsPodAssignedAndCollectTriggersCollection) {
  const auto session = readySession();
  ASSERT_TRUE(platform_.waitForCalls(1, std::chrono::seconds(20)));
  auto assign = platform_.calls()[0];
  EXPECT_EQ(assign.status, 200) << assign.request.body;
  EXPECT_EQ(assign.request.target, "/api/v1/sessions/" + session + "/parts/part-7/pod");
  auto pod = parse(assign.request.body)["pod"].GetObject();
  EXPECT_STREQ(pod["id"].GetString(), session.c_str());
  EXPECT_STREQ(pod["devices"][0]["interfaces"][0]["host"].GetString(), "203.0.113.5");
  EXPECT_EQ(pod["devices"][0]["interfaces"][0]["port"].GetInt(), 6000);

  auto served = httpCall(port_, "GET", "/api/v1/sessions/" + session + "/pod");
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(parse(served.body)["devices"][0]["interfaces"].Size(), 2u);

  ASSERT_EQ(post("/api/v1/sessions/" + session + "/running").status, 200);
  auto collecting = post("/api/v1/sessions/" + session + "/collect");
  ASSERT_EQ(collecting.status, 200);
  EXPECT_STREQ(parse(collecting.body)["state"].GetString(), "collecting");
  ASSERT_TRUE(platform_.waitForCalls(2, std::chrono::seconds(20)));
  auto collection = platform_.calls()[1];
  EXPECT_EQ(collection.status, 202);
  EXPECT_EQ(collection.request.target, "/api/v1/collections");
  auto body = parse(collection.request.body);
  EXPECT_STREQ(body["session_id"].GetString(), session.c_str());
  EXPECT_STREQ(body["cml_lab_id"].GetString(), "lab-42");
  EXPECT_STREQ(body["worker_hostname"].GetString(), "203.0.113.5");
  EXPECT_EQ(keycloak_.issuedTokens().size(), 1u);  // cached across both calls
}

TEST_F(CollectionFlow, APlatformFailureIsRecordedOnTheSessionAndNothingCrashes) {
  platform_.scriptTimes(10, Reply{.status = 503});
  const auto session = readySession();
  ASSERT_TRUE(platform_.waitForCalls(2, std::chrono::seconds(20)));  // the pod assignment, retried once
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string error;
  while (error.empty() && std::chrono::steady_clock::now() < deadline) {
    gateway_->waitForStderrLine("assessment platform call failed", std::chrono::milliseconds(100));
    error = parse(httpCall(port_, "GET", "/api/v1/sessions/" + session).body)["error"].GetString();
  }
  EXPECT_THAT(error, HasSubstr("pod assignment failed"));
  EXPECT_EQ(post("/api/v1/sessions/" + session + "/running").status, 200);  // the session goes on
  EXPECT_EQ(httpCall(port_, "GET", "/healthz").status, 200);
}

// The collection trigger is consumed from the event log: a crash after
// "collecting" committed and before the platform's answer came back makes the
// call again after the restart, with the same Idempotency-Key, so the
// platform does not collect twice; the session then goes on to grading.
TEST_F(CollectionFlow, ATriggerCutShortByACrashIsMadeAgainAfterTheRestartAndCollectsOnce) {
  const auto session = readySession();
  const std::string s = "/api/v1/sessions/" + session;
  ASSERT_TRUE(platform_.waitForCalls(1, std::chrono::seconds(20)));  // the pod
  ASSERT_EQ(post(s + "/running").status, 200);
  platform_.setAnswerDelay(std::chrono::seconds(60));
  ASSERT_EQ(post(s + "/collect").status, 200);
  ASSERT_TRUE(platform_.waitForCalls(2, std::chrono::seconds(20)));
  EXPECT_EQ(platform_.collectionsTriggered(), 1) << "the platform started it; its answer is still on the way";
  gateway_->signal(SIGKILL);
  ASSERT_TRUE(gateway_->waitForExit(std::chrono::seconds(10)));
  platform_.setAnswerDelay(std::chrono::milliseconds(0));

  start();
  // After the restart the flow resumes from its last saved cursor: the
  // collection again, and perhaps the pod too (progress is saved in the
  // background, at least once), each a replay to the platform.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::optional<ccm::fakes::PlatformCall> again;
  while (!again && std::chrono::steady_clock::now() < deadline) {
    platform_.waitForCalls(platform_.calls().size() + 1, std::chrono::milliseconds(200));
    const auto calls = platform_.calls();
    for (std::size_t i = 2; i < calls.size(); ++i) {
      if (calls[i].request.target == "/api/v1/collections") again = calls[i];
    }
  }
  ASSERT_TRUE(again) << gateway_->stderrText();
  const auto calls = platform_.calls();
  EXPECT_EQ(again->status, 202);
  ASSERT_TRUE(again->request.header("Idempotency-Key"));
  EXPECT_EQ(*again->request.header("Idempotency-Key"), "ccm-collection-" + session);
  EXPECT_EQ(calls[1].request.header("Idempotency-Key"), again->request.header("Idempotency-Key"));
  for (std::size_t i = 2; i < calls.size(); ++i) EXPECT_TRUE(calls[i].replayed) << calls[i].request.target;
  EXPECT_EQ(platform_.collectionsTriggered(), 1);

  const auto graded = post(s + "/grading");
  ASSERT_EQ(graded.status, 200) << graded.body;
  EXPECT_STREQ(parse(graded.body)["state"].GetString(), "grading");
  // The consumer is listed beside the sinks, caught up, with nothing dead-lettered.
  const auto sinks = httpCall(port_, "GET", "/api/v1/sinks").body;
  EXPECT_THAT(sinks, HasSubstr("\"name\":\"_collection-flow\""));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(platform_.calls().size(), calls.size()) << "nothing more once acknowledged";
}

TEST_F(CollectionFlow, AWholeSessionRunsFromDefinitionToTerminatedDrivenByLdsAndGradingEvents) {
  const auto session = readySession();
  ASSERT_TRUE(platform_.waitForCalls(1, std::chrono::seconds(20)));  // Pod assigned on ready
  const std::string ref = R"({"lablet_session_id":")" + session + R"("})";
  sendEvent("lds.session.started", ref);
  sendEvent("lds.session.ended", ref);
  ASSERT_TRUE(platform_.waitForCalls(2, std::chrono::seconds(20)));  // collection triggered on collecting
  sendEvent("grading.session.completed",
            R"({"lablet_session_id":")" + session + R"(","score":88.5,"passed":true,"report_id":"rep-9"})");

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<std::string> types;
  std::vector<ccm::fakes::ReceivedRequest> mine;
  while (std::chrono::steady_clock::now() < deadline) {
    mine.clear();
    for (const auto& request : receiver_.requests()) {
      if (request.header("ce-subject") == session) mine.push_back(request);
    }
    if (!mine.empty() && mine.back().header("ce-type") == "ccm.lablet.session.terminated") break;
    receiver_.waitForRequests(receiver_.requests().size() + 1, std::chrono::milliseconds(200));
  }
  for (const auto& request : mine) types.push_back(request.header("ce-type").value_or(""));
  EXPECT_EQ(types, (std::vector<std::string>{
                       "ccm.lablet.session.pending", "ccm.lablet.session.scheduled",
                       "ccm.lablet.session.instantiating", "ccm.lablet.session.ready",
                       "ccm.lablet.user_session.created", "ccm.lablet.session.running",
                       "ccm.lablet.session.collecting", "ccm.lablet.grading_session.created",
                       "ccm.lablet.session.grading", "ccm.lablet.score_report.created",
                       "ccm.lablet.session.graded", "ccm.lablet.session.stopping", "ccm.lablet.session.stopped",
                       "ccm.lablet.session.terminated"}));
  ASSERT_EQ(mine.size(), types.size());
  auto graded = parse(mine[10].body);
  EXPECT_DOUBLE_EQ(graded["score"].GetDouble(), 88.5);
  EXPECT_TRUE(graded["passed"].GetBool());
  EXPECT_EQ(std::string(parse(mine[2].body)["worker_id"].GetString()),
            std::string(parse(mine[1].body)["worker_id"].GetString()));
  EXPECT_EQ(parse(mine[1].body)["allocated_ports"].MemberCount(), 2u);
  EXPECT_STREQ(parse(mine.back().body)["final_state"].GetString(), "COMPLETED");

  auto stored = parse(httpCall(port_, "GET", "/api/v1/sessions/" + session).body);
  EXPECT_STREQ(stored["state"].GetString(), "terminated");
  EXPECT_EQ(stored["allocated_ports"].MemberCount(), 0u);
  EXPECT_STRNE(stored["score_report_id"].GetString(), "");

  const auto calls = platform_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].request.target, "/api/v1/sessions/" + session + "/parts/part-7/pod");
  EXPECT_EQ(calls[1].request.target, "/api/v1/collections");
  EXPECT_EQ(calls[1].client_id, "ccm-gateway");
}

}  // namespace
