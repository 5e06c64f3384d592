// Redrive end to end (docs/delivery.md#redrive): the real ccm-gateway with
// its http sink sends a range of the log again to a real CloudEvents
// receiver on 127.0.0.1, alongside new events; cancelled, restarted, refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "child_process.hpp"
#include "fakes/cloudevents_receiver.hpp"
#include "http_call.hpp"
#include "wait_until.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ccm::fakes::CloudEventsReceiver;
using ccm::fakes::Reply;
using ccm::testing::ChildProcess;
using ccm::testing::httpCall;
using ccm::testing::HttpReply;
using ccm::testing::waitUntil;
using ::testing::HasSubstr;

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  return doc;
}

// One gateway with one http sink "out" on a SQLite file kept across restarts.
class Redrive : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccm-redrive-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    gateway_.reset();
    fs::remove_all(dir_);
  }

  void start(const CloudEventsReceiver& receiver, const std::string& store_extra = "") {
    std::ofstream(dir_ / "gateway.json") << R"({
  "server": {"host": "127.0.0.1", "port": 0},
  "plugins": {"directories": [")" << CCM_PLUGIN_OUTPUT_DIR
                                         << R"("]},
  "store": {"sqlite": {"path": ")" << (dir_ / "gw.db").string()
                                         << "\"}" << store_extra << R"(},
  "engine": {"reconcile_interval_ms": 3600000},
  "sinks": [{"name": "out", "plugin": "http", "config": {"url": ")"
                                         << receiver.url("/events") << R"("},
             "delivery": {"batch_size": 1, "retry": {"initial_backoff_ms": 20, "max_backoff_ms": 100}}}]})";
    gateway_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{CCM_GATEWAY_EXECUTABLE, "--config", (dir_ / "gateway.json").string()});
    const auto port = waitForListeningPort(*gateway_, 60s);
    ASSERT_TRUE(port) << gateway_->stderrText();
    port_ = *port;
  }

  HttpReply post(const std::string& path, const std::string& body = "") { return httpCall(port_, "POST", path, body); }
  HttpReply get(const std::string& path) { return httpCall(port_, "GET", path); }

  // Commits one event (ccm.lablet.definition.created); returns its subject.
  std::string commitEvent() {
    auto reply = post("/api/v1/definitions", R"({"name": "d", "lab_yaml": "nodes: []\n"})");
    EXPECT_EQ(reply.status, 201) << reply.body;
    return parse(reply.body)["id"].GetString();
  }

  rapidjson::Document sink() {
    auto doc = parse(get("/api/v1/sinks").body);
    rapidjson::Document out;
    out.CopyFrom(doc["items"][0], out.GetAllocator());
    return out;
  }
  bool cursorAt(std::int64_t sequence) { return sink()["cursor"].GetInt64() >= sequence; }

  rapidjson::Document redrive(const std::string& id) { return parse(get("/api/v1/sinks/out/redrives/" + id).body); }
  bool redriveIs(const std::string& id, const char* state) {
    auto doc = redrive(id);
    return doc.IsObject() && doc.HasMember("state") && std::string(doc["state"].GetString()) == state;
  }

  // The ce-id of every request the receiver got, in arrival order.
  static std::vector<std::string> ids(const CloudEventsReceiver& receiver) {
    std::vector<std::string> out;
    for (const auto& request : receiver.requests()) out.push_back(request.header("ce-id").value_or(""));
    return out;
  }

  fs::path dir_;
  std::unique_ptr<ChildProcess> gateway_;
  std::uint16_t port_ = 0;
};

TEST_F(Redrive, SendsTheRangeAgainInOrderWhileNewEventsStillArrive) {
  CloudEventsReceiver receiver;
  receiver.setDefaultReply(Reply{.delay = 30ms});
  start(receiver);
  for (int i = 0; i < 6; ++i) commitEvent();
  ASSERT_TRUE(receiver.waitForRequests(6, 20s));
  ASSERT_TRUE(waitUntil(10s, [&] { return cursorAt(6); }));
  const auto originals = ids(receiver);

  auto started = post("/api/v1/sinks/out/redrive", R"({"from_sequence": 2, "to_sequence": 5})");
  ASSERT_EQ(started.status, 201) << started.body;
  auto body = parse(started.body);
  const std::string id = body["id"].GetString();
  EXPECT_EQ(started.location, "/api/v1/sinks/out/redrives/" + id);
  EXPECT_STREQ(body["state"].GetString(), "active");
  EXPECT_EQ(body["from_sequence"].GetInt64(), 2);
  EXPECT_EQ(body["to_sequence"].GetInt64(), 5);
  EXPECT_EQ(body["position"].GetInt64(), 1);
  EXPECT_EQ(body["remaining"].GetInt64(), 4);
  const std::string fresh = commitEvent();  // new events keep flowing meanwhile
  commitEvent();

  ASSERT_TRUE(receiver.waitForRequests(12, 20s));
  const auto all = ids(receiver);
  const std::vector<std::string> after(all.begin() + 6, all.end());
  std::vector<std::string> redriven;
  for (const auto& got : after) {
    if (std::find(originals.begin(), originals.end(), got) != originals.end()) redriven.push_back(got);
  }
  // The same events (same ids), in sequence order among themselves.
  EXPECT_EQ(redriven, (std::vector<std::string>{originals[1], originals[2], originals[3], originals[4]}));
  EXPECT_EQ(after.size() - redriven.size(), 2u);

  ASSERT_TRUE(waitUntil(10s, [&] { return redriveIs(id, "completed"); }));
  auto done = redrive(id);
  EXPECT_EQ(done["position"].GetInt64(), 5);
  EXPECT_EQ(done["delivered"].GetInt64(), 4);
  EXPECT_EQ(done["failed"].GetInt64(), 0);
  EXPECT_EQ(done["remaining"].GetInt64(), 0);
  EXPECT_FALSE(sink().HasMember("redrive"));
  EXPECT_TRUE(gateway_->waitForStderrLine("redrive completed", 5s));
  EXPECT_THAT(get("/metrics").body, HasSubstr(R"(ccm_sink_redrive_events_total{outcome="delivered",sink="out"} 4)"));
  auto listed = parse(get("/api/v1/sinks/out/redrives").body);
  ASSERT_EQ(listed["items"].Size(), 1u);
  EXPECT_EQ(listed["items"][0]["id"].GetString(), id);
  (void)fresh;
}

TEST_F(Redrive, AFilterChoosesWhichEventsOfTheRangeGoAgain) {
  CloudEventsReceiver receiver;
  start(receiver);
  std::vector<std::string> subjects;
  for (int i = 0; i < 4; ++i) subjects.push_back(commitEvent());
  ASSERT_TRUE(waitUntil(10s, [&] { return cursorAt(4); }));
  auto started = post(
      "/api/v1/sinks/out/redrive",
      R"({"from_sequence": 1, "filter": {"types": ["ccm.lablet.*"], "cesql": "subject = ')" + subjects[2] + R"('"}})");
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id = parse(started.body)["id"].GetString();
  EXPECT_EQ(parse(started.body)["to_sequence"].GetInt64(), 4);  // the cursor when asked
  ASSERT_TRUE(waitUntil(10s, [&] { return redriveIs(id, "completed"); }));
  ASSERT_EQ(receiver.requests().size(), 5u);
  EXPECT_EQ(receiver.requests()[4].header("ce-subject"), subjects[2]);
  EXPECT_EQ(redrive(id)["delivered"].GetInt64(), 1);
}

// A permanent failure of a redriven event dead-letters it, counts it as
// failed, and the redrive goes on to its end.
TEST_F(Redrive, ARefusedEventIsDeadLetteredAndTheRedriveGoesOn) {
  CloudEventsReceiver receiver;
  start(receiver);
  std::vector<std::string> subjects;
  for (int i = 0; i < 3; ++i) subjects.push_back(commitEvent());
  ASSERT_TRUE(waitUntil(10s, [&] { return cursorAt(3); }));
  receiver.script(Reply{.status = 400, .body = "schema mismatch"});
  auto started = post("/api/v1/sinks/out/redrive", R"({"from_sequence": 1})");
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id = parse(started.body)["id"].GetString();

  ASSERT_TRUE(waitUntil(10s, [&] { return redriveIs(id, "completed"); }));
  EXPECT_EQ(redrive(id)["delivered"].GetInt64(), 2);
  EXPECT_EQ(redrive(id)["failed"].GetInt64(), 1);
  auto letters = parse(get("/api/v1/deadletters?sink=out").body);
  ASSERT_EQ(letters["items"].Size(), 1u);
  EXPECT_STREQ(letters["items"][0]["event"]["subject"].GetString(), subjects[0].c_str());
  EXPECT_THAT(letters["items"][0]["last_error"].GetString(), HasSubstr("(redrive " + id + ")"));
  EXPECT_THAT(get("/metrics").body,
              HasSubstr(R"(ccm_sink_redrive_events_total{outcome="dead_lettered",sink="out"} 1)"));
}

// from_time is a commit time: the redrive starts at the first event
// committed at or after it.
TEST_F(Redrive, AFromTimeStartsAtTheFirstEventCommittedSinceThen) {
  CloudEventsReceiver receiver;
  start(receiver);
  for (int i = 0; i < 4; ++i) {
    commitEvent();
    // Commit times are kept to the millisecond: keep the events apart.
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(waitUntil(10s, [&] { return cursorAt(4); }));
  auto events = parse(get("/api/v1/events").body);
  ASSERT_EQ(events["items"].Size(), 4u);
  // An event's time is taken before its commit, after the previous commit.
  const std::string third_time = events["items"][2]["event"]["time"].GetString();
  auto started = post("/api/v1/sinks/out/redrive", R"({"from_time": ")" + third_time + R"("})");
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(parse(started.body)["from_sequence"].GetInt64(), 3);
  EXPECT_EQ(parse(started.body)["to_sequence"].GetInt64(), 4);
  ASSERT_TRUE(receiver.waitForRequests(6, 10s));
  EXPECT_EQ(receiver.requests()[4].header("ce-id"), receiver.requests()[2].header("ce-id"));
  EXPECT_EQ(receiver.requests()[5].header("ce-id"), receiver.requests()[3].header("ce-id"));
}

TEST_F(Redrive, ACancelledRedriveStopsSendingAndCanBeFollowedByAnother) {
  CloudEventsReceiver receiver;
  start(receiver);
  for (int i = 0; i < 20; ++i) commitEvent();
  ASSERT_TRUE(waitUntil(20s, [&] { return cursorAt(20); }));
  receiver.setDefaultReply(Reply{.delay = 200ms});  // a slow receiver: the redrive takes seconds

  auto started = post("/api/v1/sinks/out/redrive", R"({"from_sequence": 1})");
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id = parse(started.body)["id"].GetString();
  ASSERT_TRUE(receiver.waitForRequests(21, 10s));
  ASSERT_TRUE(waitUntil(5s, [&] { return sink().HasMember("redrive"); }));
  EXPECT_EQ(sink()["redrive"]["id"].GetString(), id);
  EXPECT_EQ(post("/api/v1/sinks/out/redrive", R"({"from_sequence": 1})").status, 409);

  auto cancelled = post("/api/v1/sinks/out/redrives/" + id + "/cancel");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_STREQ(parse(cancelled.body)["state"].GetString(), "cancelled");
  const auto at_cancel = receiver.requests().size();
  std::this_thread::sleep_for(1500ms);
  // At most the batch that was in flight at the cancel.
  EXPECT_LE(receiver.requests().size(), at_cancel + 1);
  EXPECT_LT(receiver.requests().size(), 40u);
  EXPECT_FALSE(sink().HasMember("redrive"));
  EXPECT_TRUE(redriveIs(id, "cancelled"));
  auto again = post("/api/v1/sinks/out/redrives/" + id + "/cancel");
  EXPECT_EQ(again.status, 409);
  EXPECT_THAT(again.body, HasSubstr("is cancelled"));
  EXPECT_EQ(post("/api/v1/sinks/out/redrive", R"({"from_sequence": 20})").status, 201);
}

TEST_F(Redrive, ARestartInTheMiddleContinuesFromTheStoredPosition) {
  CloudEventsReceiver receiver;
  start(receiver);
  for (int i = 0; i < 10; ++i) commitEvent();
  ASSERT_TRUE(waitUntil(20s, [&] { return cursorAt(10); }));
  const auto originals = ids(receiver);
  receiver.setDefaultReply(Reply{.delay = 150ms});
  auto started = post("/api/v1/sinks/out/redrive", R"({"from_sequence": 1, "to_sequence": 10})");
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id = parse(started.body)["id"].GetString();
  ASSERT_TRUE(receiver.waitForRequests(14, 20s));
  gateway_->signal(SIGKILL);
  ASSERT_TRUE(gateway_->waitForExit(10s));
  receiver.setDefaultReply(Reply{});
  start(receiver);
  ASSERT_TRUE(waitUntil(20s, [&] { return redriveIs(id, "completed"); })) << get("/api/v1/sinks/out/redrives").body;
  const auto all = ids(receiver);
  const std::vector<std::string> redriven(all.begin() + 10, all.end());
  EXPECT_EQ(std::set<std::string>(redriven.begin(), redriven.end()),
            std::set<std::string>(originals.begin(), originals.end()))
      << ::testing::PrintToString(all) << gateway_->stderrText();
  // At-least-once: only what was in flight (or acknowledged and not yet stored) at the kill repeats.
  EXPECT_LE(redriven.size(), 12u);
}

TEST_F(Redrive, RequestsThatCannotBeServedAreProblems) {
  CloudEventsReceiver receiver;
  start(receiver, R"(, "retention": {"max_events": 3, "interval_ms": 50})");
  for (int i = 0; i < 6; ++i) commitEvent();
  ASSERT_TRUE(waitUntil(10s, [&] { return cursorAt(6); }));
  ASSERT_TRUE(waitUntil(10s, [&] { return parse(get("/api/v1/events").body)["items"].Size() == 3; }));

  const auto expectProblem = [&](const std::string& path, const std::string& body, int status,
                                 const std::string& detail) {
    auto reply = post(path, body);
    EXPECT_EQ(reply.status, status) << body << " -> " << reply.body;
    EXPECT_EQ(reply.content_type, "application/problem+json") << body;
    EXPECT_THAT(reply.body, HasSubstr(detail)) << body;
    return reply;
  };
  expectProblem("/api/v1/sinks/nope/redrive", R"({"from_sequence": 4})", 404, "sink nope is not configured");
  expectProblem("/api/v1/sinks/out/redrive", R"({})", 400, "give either from_sequence or from_time");
  expectProblem("/api/v1/sinks/out/redrive", R"({"from_sequence": 4, "from_time": "2026-01-01T00:00:00Z"})", 400,
                "give either from_sequence or from_time");
  expectProblem("/api/v1/sinks/out/redrive", R"({"from_sequence": 6, "to_sequence": 5})", 400,
                "from_sequence 6 is after to_sequence 5");
  expectProblem("/api/v1/sinks/out/redrive",
                R"({"from_time": "2026-12-03T10:00:00Z", "to_time": "2026-12-03T09:00:00Z"})", 400,
                "from_time is after to_time");
  expectProblem("/api/v1/sinks/out/redrive", R"({"from_time": "yesterday"})", 400,
                "from_time must be an RFC 3339 time");
  expectProblem("/api/v1/sinks/out/redrive", R"({"from_sequence": 4, "filter": {"cesql": "subject IN ('a'"}})", 400,
                "filter.cesql: ");
  expectProblem("/api/v1/sinks/out/redrive", R"({"from_sequence": 4, "filter": {"cesql": "subject IN ('a'"}})", 400,
                "at position 16");
  expectProblem("/api/v1/sinks/out/redrive", R"({"from_sequence": 4, "until": 5})", 400, "until");
  expectProblem("/api/v1/sinks/out/redrive", R"({"from_sequence": 9})", 409, "nothing to redrive");
  auto gone = expectProblem("/api/v1/sinks/out/redrive", R"({"from_sequence": 2})", 410,
                            "the oldest is 4: ask again with from_sequence=4");
  EXPECT_EQ(parse(gone.body)["first_sequence"].GetInt64(), 4);
  expectProblem("/api/v1/sinks/out/redrives/none/cancel", "", 404, "sink out has no redrive none");
  EXPECT_EQ(get("/api/v1/sinks/out/redrives/none").status, 404);
  expectProblem("/api/v1/sinks/out/redrive", R"({"from_time": "2000-01-01T00:00:00Z"})", 410,
                "some events committed since 2000-01-01T00:00:00Z are no longer kept");
}

}  // namespace
