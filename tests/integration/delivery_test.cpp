// The delivery pipeline end to end: the real ccm-gateway, its http sink and
// real CloudEvents receivers on 127.0.0.1 that fail the way receivers do.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <map>
#include <set>
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "child_process.hpp"
#include "fakes/cloudevents_receiver.hpp"
#include "http_call.hpp"
#include "wait_until.hpp"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ccm::fakes::CloudEventsReceiver;
using ccm::fakes::ReceivedRequest;
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

std::string sinkEntry(const std::string& name, const CloudEventsReceiver& receiver, const std::string& delivery,
                      int timeout_ms = 5000) {
  return R"({"name": ")" + name + R"(", "plugin": "http", "config": {"url": ")" + receiver.url("/events") +
         R"(", "timeout_ms": )" + std::to_string(timeout_ms) + R"(}, "delivery": )" + delivery + "}";
}

constexpr const char* kFastRetry =
    R"({"retry": {"initial_backoff_ms": 20, "max_backoff_ms": 100, "max_attempts": 50},
        "circuit_breaker": {"failure_threshold": 3, "open_ms": 300}})";

class Delivery : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccm-delivery-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    gateway_.reset();
    fs::remove_all(dir_);
  }

  void writeConfig(const std::vector<std::string>& sinks) {
    std::string list;
    for (const auto& sink : sinks) list += (list.empty() ? "" : ",") + sink;
    std::ofstream(dir_ / "gateway.json") << R"({
  "server": {"host": "127.0.0.1", "port": 0},
  "plugins": {"directories": [")" << kPluginDir << R"("]},
  "store": {"sqlite": {"path": ")" << (dir_ / "gw.db").string() << R"("}},
  "engine": {"reconcile_interval_ms": 3600000},
  "sinks": [)" << list << "]}";
  }

  void start() {
    gateway_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kGateway, "--config", (dir_ / "gateway.json").string()});
    const auto port = waitForListeningPort(*gateway_, std::chrono::seconds(60));
    ASSERT_TRUE(port) << gateway_->stderrText();
    port_ = *port;
  }

  HttpReply post(const std::string& path, const std::string& body = "{}") { return httpCall(port_, "POST", path, body); }
  HttpReply get(const std::string& path) { return httpCall(port_, "GET", path); }

  std::string createDefinition(const std::string& name) {
    auto reply = post("/api/v1/definitions", R"({"name": ")" + name + R"(", "lab_yaml": "nodes: []\n"})");
    EXPECT_EQ(reply.status, 201) << reply.body;
    return parse(reply.body)["id"].GetString();
  }
  std::string createWorker(const std::string& name) {
    auto reply = post("/api/v1/workers", R"({"name": ")" + name + R"(", "private_address": "10.0.0.1"})");
    EXPECT_EQ(reply.status, 201) << reply.body;
    return parse(reply.body)["id"].GetString();
  }

  // Events the receiver answered with 2xx, as (ce-id, ce-type, ce-subject), in arrival order.
  struct Accepted {
    std::string id;
    std::string type;
    std::string subject;
  };
  static std::vector<Accepted> accepted(const CloudEventsReceiver& receiver, const std::vector<int>& script) {
    std::vector<Accepted> out;
    const auto requests = receiver.requests();
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const int status = i < script.size() ? script[i] : 200;
      if (status / 100 != 2) continue;
      out.push_back({requests[i].header("ce-id").value_or(""), requests[i].header("ce-type").value_or(""),
                     requests[i].header("ce-subject").value_or("")});
    }
    return out;
  }
  static void scriptStatuses(CloudEventsReceiver& receiver, const std::vector<int>& statuses) {
    for (int status : statuses) receiver.script(Reply{.status = status});
  }

  rapidjson::Document sinkStatus(const std::string& name) {
    auto doc = parse(get("/api/v1/sinks").body);
    rapidjson::Document out;
    for (auto& item : doc["items"].GetArray()) {
      if (std::string(item["name"].GetString()) == name) out.CopyFrom(item, out.GetAllocator());
    }
    return out;
  }

  // The sink's status once it has acknowledged `count` events (or at the deadline).
  rapidjson::Document statusAfterDelivering(const std::string& name, std::uint64_t count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      auto status = sinkStatus(name);
      if ((status.IsObject() && status["delivered"].GetUint64() >= count) || std::chrono::steady_clock::now() > deadline) {
        return status;
      }
      gateway_->waitForStderrLine("\x01", std::chrono::milliseconds(50));
    }
  }

  fs::path dir_;
  std::unique_ptr<ChildProcess> gateway_;
  std::uint16_t port_ = 0;
};

TEST_F(Delivery, EveryEventArrivesInOrderAfterTheReceiverComesBack) {
  CloudEventsReceiver receiver;
  for (int i = 0; i < 3; ++i) receiver.script(Reply{.drop_connection = true});
  scriptStatuses(receiver, {503, 500});
  writeConfig({sinkEntry("out", receiver, kFastRetry)});
  start();
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(createDefinition("d" + std::to_string(i)));
  ASSERT_TRUE(receiver.waitForRequests(15, std::chrono::seconds(30)));
  const auto got = accepted(receiver, {0, 0, 0, 503, 500});
  ASSERT_EQ(got.size(), 10u);
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(got[i].subject, ids[i]) << i;
  auto status = statusAfterDelivering("out", 10);
  EXPECT_EQ(status["delivered"].GetUint64(), 10u);
  EXPECT_GE(status["failed"].GetUint64(), 5u);
  EXPECT_EQ(status["lag"].GetInt64(), 0);
  EXPECT_STREQ(status["circuit"].GetString(), "closed");
  // Three failed batches in a row opened the breaker for a while.
  EXPECT_THAT(get("/metrics").body, HasSubstr("ccm_sink_circuit_open{sink=\"out\"} 0"));
}

TEST_F(Delivery, RetryAfterIsHonoured) {
  CloudEventsReceiver receiver;
  receiver.script(Reply{.status = 429, .headers = {{"Retry-After", "1"}}});
  writeConfig({sinkEntry("out", receiver, kFastRetry)});
  start();
  createDefinition("d");
  ASSERT_TRUE(receiver.waitForRequests(1, std::chrono::seconds(20)));
  const auto first = std::chrono::steady_clock::now();
  ASSERT_TRUE(receiver.waitForRequests(2, std::chrono::seconds(20)));
  EXPECT_GE(std::chrono::steady_clock::now() - first, std::chrono::milliseconds(900));
  const auto requests = receiver.requests();
  EXPECT_EQ(requests[0].header("ce-id"), requests[1].header("ce-id"));
}

TEST_F(Delivery, ASlowReceiverTimesOutAndTheEventIsRetried) {
  CloudEventsReceiver receiver;
  receiver.script(Reply{.delay = std::chrono::milliseconds(1500)});
  writeConfig({sinkEntry("out", receiver, kFastRetry, 300)});
  start();
  createDefinition("d");
  ASSERT_TRUE(receiver.waitForRequests(2, std::chrono::seconds(20)));
  const auto requests = receiver.requests();
  EXPECT_EQ(requests[0].header("ce-id"), requests[1].header("ce-id"));
  auto status = statusAfterDelivering("out", 1);
  EXPECT_EQ(status["delivered"].GetUint64(), 1u);
  EXPECT_THAT(status["last_error"].GetString(), HasSubstr("timed out"));
}

TEST_F(Delivery, PermanentFailureIsDeadLetteredWithoutBlockingOthersAndReplayedOnceFixed) {
  CloudEventsReceiver receiver;
  receiver.script(Reply{.status = 400, .body = "schema mismatch"});
  writeConfig({sinkEntry("out", receiver, kFastRetry)});
  start();
  const auto rejected = createDefinition("first");
  createDefinition("second");
  ASSERT_TRUE(receiver.waitForRequests(2, std::chrono::seconds(20)));

  // The receiver counts a request before the dispatcher has read the 400 and
  // stored the dead letter: wait for the row.
  auto letters = parse(get("/api/v1/deadletters?sink=out").body);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (letters["items"].Size() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    letters = parse(get("/api/v1/deadletters?sink=out").body);
  }
  ASSERT_EQ(letters["items"].Size(), 1u);
  const auto& letter = letters["items"][0];
  EXPECT_STREQ(letter["event"]["subject"].GetString(), rejected.c_str());
  EXPECT_THAT(letter["last_error"].GetString(), HasSubstr("400"));
  EXPECT_EQ(letter["attempts"].GetInt(), 1);
  const std::string id = letter["id"].GetString();
  EXPECT_EQ(get("/api/v1/deadletters/" + id).status, 200);

  auto replayed = post("/api/v1/deadletters/" + id + "/replay");
  EXPECT_EQ(replayed.status, 200);
  ASSERT_TRUE(receiver.waitForRequests(3, std::chrono::seconds(20)));
  EXPECT_EQ(receiver.requests()[2].header("ce-subject"), rejected);
  EXPECT_EQ(parse(get("/api/v1/deadletters").body)["items"].Size(), 0u);
  EXPECT_EQ(post("/api/v1/deadletters/" + id + "/replay").status, 404);
}

TEST_F(Delivery, SubjectsKeepTheirOrderUnderConcurrencyAndRetries) {
  CloudEventsReceiver receiver;
  std::vector<int> script;
  for (int i = 0; i < 60; ++i) script.push_back(i % 3 == 1 ? 503 : 200);
  scriptStatuses(receiver, script);
  writeConfig({sinkEntry("out", receiver,
                         R"({"concurrency": 4, "batch_size": 1, "retry": {"initial_backoff_ms": 10, "max_backoff_ms": 50, "max_attempts": 100}})")});
  start();
  std::vector<std::string> workers;
  for (int w = 0; w < 3; ++w) workers.push_back(createWorker("w" + std::to_string(w)));
  for (const char* verb : {"provisioning", "running", "drain", "stop", "stopped", "terminate"}) {
    for (const auto& worker : workers) ASSERT_EQ(post("/api/v1/workers/" + worker + "/" + verb).status, 200);
  }
  const std::vector<std::string> expected{"ccm.worker.pending",  "ccm.worker.provisioning.started",
                                          "ccm.worker.running",  "ccm.worker.draining",
                                          "ccm.worker.stopping", "ccm.worker.stopped",
                                          "ccm.worker.terminated"};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (accepted(receiver, script).size() < 21 && std::chrono::steady_clock::now() < deadline) {
    receiver.waitForRequests(receiver.requests().size() + 1, std::chrono::milliseconds(200));
  }
  std::map<std::string, std::vector<std::string>> by_subject;
  for (const auto& event : accepted(receiver, script)) by_subject[event.subject].push_back(event.type);
  ASSERT_EQ(by_subject.size(), 3u);
  for (const auto& worker : workers) EXPECT_EQ(by_subject[worker], expected) << worker;
}

TEST_F(Delivery, ARestartInTheMiddleOfDeliveryLosesNothing) {
  CloudEventsReceiver receiver;
  receiver.setDefaultReply(Reply{.delay = std::chrono::milliseconds(150)});
  // One event per batch: what is in flight at the kill is exactly one event.
  writeConfig({sinkEntry("out", receiver, R"({"batch_size": 1})")});
  start();
  std::set<std::string> subjects;
  for (int i = 0; i < 12; ++i) subjects.insert(createDefinition("d" + std::to_string(i)));
  ASSERT_TRUE(receiver.waitForRequests(3, std::chrono::seconds(20)));
  gateway_->signal(SIGKILL);
  ASSERT_TRUE(gateway_->waitForExit(std::chrono::seconds(10)));
  const auto before_restart = receiver.requests().size();
  receiver.setDefaultReply(Reply{});
  start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::set<std::string> got;
  while (got.size() < subjects.size() && std::chrono::steady_clock::now() < deadline) {
    receiver.waitForRequests(receiver.requests().size() + 1, std::chrono::milliseconds(200));
    got.clear();
    for (const auto& request : receiver.requests()) got.insert(request.header("ce-subject").value_or(""));
  }
  EXPECT_EQ(got, subjects);
  // At-least-once: only what was in flight at the kill may come twice — the
  // batch being sent, and the one acknowledged just before whose outcome the
  // saver had not written yet (docs/delivery.md).
  EXPECT_LE(receiver.requests().size(), subjects.size() + 2) << "before restart: " << before_restart;
}

TEST_F(Delivery, ReloadAddsAndRemovesSinksWithoutLosingOrResendingEvents) {
  CloudEventsReceiver first;
  CloudEventsReceiver second;
  writeConfig({sinkEntry("a", first, kFastRetry)});
  start();
  for (int i = 0; i < 3; ++i) createDefinition("d" + std::to_string(i));
  ASSERT_TRUE(first.waitForRequests(3, std::chrono::seconds(20)));

  writeConfig({sinkEntry("a", first, kFastRetry), sinkEntry("b", second, kFastRetry)});
  auto reloaded = post("/api/v1/admin/reload");
  ASSERT_EQ(reloaded.status, 200) << reloaded.body;
  EXPECT_EQ(reloaded.body, R"({"added":["b"],"removed":[],"replaced":[],"kept":["a"]})");
  // Consumed here, so that the wait after SIGHUP below sees its own reload's
  // line and not this one (which let d4 be created before "a" was removed).
  ASSERT_TRUE(gateway_->waitForStderrLine("configuration reloaded", std::chrono::seconds(5)));
  ASSERT_TRUE(second.waitForRequests(3, std::chrono::seconds(20)));
  createDefinition("d3");
  ASSERT_TRUE(first.waitForRequests(4, std::chrono::seconds(20)));
  ASSERT_TRUE(second.waitForRequests(4, std::chrono::seconds(20)));

  writeConfig({sinkEntry("b", second, kFastRetry)});
  gateway_->signal(SIGHUP);
  ASSERT_TRUE(gateway_->waitForStderrLine("configuration reloaded", std::chrono::seconds(20)));
  createDefinition("d4");
  ASSERT_TRUE(second.waitForRequests(5, std::chrono::seconds(20)));
  // On failure, which events came (a removed sink that still sends, or a resend).
  auto sent = [](const CloudEventsReceiver& receiver) {
    std::string out;
    for (const auto& request : receiver.requests()) {
      out += request.header("ce-type").value_or("?") + " " + request.header("ce-subject").value_or("?") + " (" +
             request.header("ce-id").value_or("?") + "); ";
    }
    return out;
  };
  EXPECT_EQ(first.requests().size(), 4u) << sent(first);
  EXPECT_EQ(second.requests().size(), 5u) << sent(second);

  std::ofstream(dir_ / "gateway.json") << "{ not json";
  auto refused = post("/api/v1/admin/reload");
  EXPECT_EQ(refused.status, 422);
  EXPECT_THAT(refused.body, HasSubstr("invalid JSON"));
  createDefinition("d5");
  ASSERT_TRUE(second.waitForRequests(6, std::chrono::seconds(20)));
}

// docs/delivery.md, Pause and resume.
TEST_F(Delivery, APausedSinkGetsNothingNewUntilResumedThenEverythingThatQueued) {
  CloudEventsReceiver receiver;
  writeConfig({sinkEntry("out", receiver, kFastRetry)});
  start();
  createDefinition("before");
  ASSERT_TRUE(receiver.waitForRequests(1, std::chrono::seconds(20)));

  auto paused = post("/api/v1/sinks/out/pause", R"({"reason": "receiver maintenance"})");
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_TRUE(sinkStatus("out")["paused"].GetBool());  // at once, not on the dispatcher's next turn
  auto body = parse(paused.body);
  EXPECT_STREQ(body["sink"].GetString(), "out");
  EXPECT_TRUE(body["paused"].GetBool());
  EXPECT_STREQ(body["pause"]["reason"].GetString(), "receiver maintenance");
  EXPECT_FALSE(body["pause"]["automatic"].GetBool());
  // Pausing again keeps the first pause (and announces nothing more).
  auto again = parse(post("/api/v1/sinks/out/pause", R"({"reason": "other"})").body);
  EXPECT_STREQ(again["pause"]["paused_at"].GetString(), body["pause"]["paused_at"].GetString());
  EXPECT_STREQ(again["pause"]["reason"].GetString(), "receiver maintenance");

  std::vector<std::string> queued;
  for (int i = 0; i < 3; ++i) queued.push_back(createDefinition("while-paused-" + std::to_string(i)));
  // The status and the gauge follow on the dispatcher's next turn.
  const auto within = std::chrono::seconds(10);
  const auto metricsShow = [&](const std::string& line) { return get("/metrics").body.find(line) != std::string::npos; };
  ASSERT_TRUE(ccm::testing::waitUntil(within, [&] { return sinkStatus("out")["paused"].GetBool(); }));
  EXPECT_STREQ(sinkStatus("out")["pause"]["reason"].GetString(), "receiver maintenance");
  EXPECT_TRUE(ccm::testing::waitUntil(within, [&] { return metricsShow("ccm_sink_paused{sink=\"out\"} 1"); }));
  // Nothing new goes out while paused; the lag grows instead.
  EXPECT_FALSE(receiver.waitForRequests(2, std::chrono::milliseconds(1500)));
  EXPECT_GE(sinkStatus("out")["lag"].GetInt64(), 4);

  auto resumed = post("/api/v1/sinks/out/resume");
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_EQ(resumed.body, R"({"sink":"out","paused":false})");
  // The three definitions, and the pause and resume announcements themselves.
  ASSERT_TRUE(receiver.waitForRequests(6, std::chrono::seconds(20)));
  std::multiset<std::string> types;
  std::set<std::string> subjects;
  for (const auto& request : receiver.requests()) {
    types.insert(request.header("ce-type").value_or(""));
    subjects.insert(request.header("ce-subject").value_or(""));
  }
  EXPECT_EQ(types.count("ccm.lablet.definition.created"), 4u);
  EXPECT_EQ(types.count("ccm.gateway.sink.paused"), 1u);
  EXPECT_EQ(types.count("ccm.gateway.sink.resumed"), 1u);
  for (const auto& id : queued) EXPECT_EQ(subjects.count(id), 1u) << id;
  EXPECT_TRUE(ccm::testing::waitUntil(within, [&] { return !sinkStatus("out")["paused"].GetBool(); }));
  EXPECT_TRUE(ccm::testing::waitUntil(within, [&] { return metricsShow("ccm_sink_paused{sink=\"out\"} 0"); }));
}

TEST_F(Delivery, ASinkFailingPastPauseAfterSecondsIsPausedAndOtherSinksHearOfIt) {
  CloudEventsReceiver failing;
  failing.setDefaultReply(Reply{.status = 503});
  CloudEventsReceiver watcher;
  writeConfig({sinkEntry("flaky", failing,
                         R"({"pause_after_seconds": 1, "retry": {"initial_backoff_ms": 20, "max_backoff_ms": 100,
                             "max_attempts": 1000}, "circuit_breaker": {"failure_threshold": 1000}})"),
               sinkEntry("watch", watcher, R"({"filter": {"types": ["ccm.gateway.*"]}})")});
  start();
  createDefinition("d");
  ASSERT_TRUE(watcher.waitForRequests(1, std::chrono::seconds(20)));
  const auto announced = watcher.requests().front();
  EXPECT_EQ(announced.header("ce-type"), "ccm.gateway.sink.paused");
  EXPECT_EQ(announced.header("ce-subject"), "flaky");
  auto data = parse(announced.body);
  EXPECT_STREQ(data["sink"].GetString(), "flaky");
  EXPECT_TRUE(data["automatic"].GetBool());
  EXPECT_THAT(data["reason"].GetString(), HasSubstr("without a success (delivery.pause_after_seconds 1)"));
  EXPECT_THAT(data["reason"].GetString(), HasSubstr("last error: "));
  EXPECT_THAT(data["reason"].GetString(), HasSubstr("503"));

  ASSERT_TRUE(
      ccm::testing::waitUntil(std::chrono::seconds(10), [&] { return sinkStatus("flaky")["paused"].GetBool(); }));
  EXPECT_TRUE(sinkStatus("flaky")["pause"]["automatic"].GetBool());
  EXPECT_TRUE(gateway_->waitForStderrLine("sink paused", std::chrono::seconds(5)));
  // Paused: the failing receiver is left alone.
  const auto tried = failing.requests().size();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(failing.requests().size(), tried);

  // A pause is stored: it holds across a restart until resumed.
  gateway_.reset();
  start();
  EXPECT_TRUE(sinkStatus("flaky")["paused"].GetBool());
  failing.setDefaultReply(Reply{.status = 200});
  ASSERT_EQ(post("/api/v1/sinks/flaky/resume").status, 200);
  ASSERT_TRUE(failing.waitForRequests(tried + 1, std::chrono::seconds(20)));
  EXPECT_GE(statusAfterDelivering("flaky", 1)["delivered"].GetUint64(), 1u);
}

TEST_F(Delivery, PausingASinkThatIsNotConfiguredIs404) {
  CloudEventsReceiver receiver;
  writeConfig({sinkEntry("out", receiver, kFastRetry)});
  start();
  auto reply = post("/api/v1/sinks/nope/pause");
  EXPECT_EQ(reply.status, 404);
  EXPECT_THAT(reply.body, HasSubstr("sink nope is not configured"));
  EXPECT_EQ(post("/api/v1/sinks/nope/resume").status, 404);
  auto bad = post("/api/v1/sinks/out/pause", R"({"reason": 5})");
  EXPECT_EQ(bad.status, 400);
}

// The attempt log on real sockets: a 503 (answered after 50 ms) then a 200
// for the same event, both listed newest first with status, outcome, error
// and the call's latency.
TEST_F(Delivery, AttemptLogListsTheFailedAndTheDeliveredAttemptOfAnEvent) {
  CloudEventsReceiver receiver;
  receiver.script(Reply{.status = 503, .body = "maintenance", .delay = std::chrono::milliseconds(50)});
  writeConfig({sinkEntry("out", receiver, kFastRetry)});
  start();
  createDefinition("d");
  ASSERT_TRUE(receiver.waitForRequests(2, std::chrono::seconds(20)));
  const auto events = parse(get("/api/v1/events").body);
  ASSERT_EQ(events["items"].Size(), 1u);
  const std::int64_t sequence = events["items"][0]["sequence"].GetInt64();
  const std::string path = "/api/v1/events/" + std::to_string(sequence) + "/deliveries";

  rapidjson::Document attempts;
  ASSERT_TRUE(ccm::testing::waitUntil(std::chrono::seconds(10), [&] {
    attempts = parse(get(path).body);
    return attempts.IsObject() && attempts["items"].Size() == 2;
  })) << get(path).body;
  const auto& delivered = attempts["items"][0];
  EXPECT_STREQ(delivered["sink"].GetString(), "out");
  EXPECT_EQ(delivered["sequence"].GetInt64(), sequence);
  EXPECT_EQ(delivered["attempt"].GetInt(), 2);
  EXPECT_FALSE(delivered["replay"].GetBool());
  EXPECT_STREQ(delivered["outcome"].GetString(), "delivered");
  EXPECT_EQ(delivered["http_status"].GetInt(), 200);
  EXPECT_STREQ(delivered["error"].GetString(), "");
  EXPECT_GT(delivered["latency_ms"].GetDouble(), 0.0);
  const auto& failed = attempts["items"][1];
  EXPECT_EQ(failed["attempt"].GetInt(), 1);
  EXPECT_STREQ(failed["outcome"].GetString(), "retryable");
  EXPECT_EQ(failed["http_status"].GetInt(), 503);
  EXPECT_THAT(failed["error"].GetString(), HasSubstr("HTTP 503"));
  EXPECT_THAT(failed["error"].GetString(), HasSubstr("maintenance"));
  EXPECT_GE(failed["latency_ms"].GetDouble(), 50.0) << "the receiver took 50 ms to answer";
  EXPECT_LT(std::string(failed["attempted_at"].GetString()), std::string(delivered["attempted_at"].GetString()));

  const auto other = get(path + "?sink=other");
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(parse(other.body)["items"].Size(), 0u);
  const auto one = parse(get(path + "?sink=out&limit=1").body);
  ASSERT_EQ(one["items"].Size(), 1u);
  EXPECT_EQ(one["items"][0]["attempt"].GetInt(), 2);
}

TEST_F(Delivery, AttemptLogOfAnUnknownEventIs404AndOfABadSequence400) {
  CloudEventsReceiver receiver;
  writeConfig({sinkEntry("out", receiver, kFastRetry)});
  start();
  const auto unknown = get("/api/v1/events/999/deliveries");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr("event 999 is not in the event log and has no delivery attempts"));
  for (const std::string bad : {"abc", "0", "-3", "12x", "99999999999999999999"}) {
    const auto reply = get("/api/v1/events/" + bad + "/deliveries");
    EXPECT_EQ(reply.status, 400) << bad;
    EXPECT_THAT(reply.body, HasSubstr("the event's sequence must be a positive integer, got \\\"" + bad)) << reply.body;
  }
  EXPECT_EQ(get("/api/v1/events/1/deliveries?limit=0").status, 400);
}

}  // namespace
