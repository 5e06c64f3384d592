// Several gateway replicas on one PostgreSQL store, and event log retention,
// end to end: real ccm-gateway processes, a real PostgreSQL server and a real
// CloudEvents receiver on 127.0.0.1.
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
#include "postgres_server.hpp"
#include "wait_until.hpp"

namespace {

using ccm::testing::waitUntil;

namespace fs = std::filesystem;
using ccm::fakes::CloudEventsReceiver;
using ccm::fakes::Reply;
using ccm::testing::ChildProcess;
using ccm::testing::httpCall;
using ccm::testing::PostgresServer;
using ::testing::HasSubstr;

const std::string kGateway = CCM_GATEWAY_EXECUTABLE;
const std::string kPluginDir = CCM_PLUGIN_OUTPUT_DIR;

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  return doc;
}

struct Replica {
  std::unique_ptr<ChildProcess> process;
  std::uint16_t port = 0;
};

class GatewayProcesses : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccm-replicas-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    replicas_.clear();
    fs::remove_all(dir_);
  }

  // Starts a gateway with `store_json`, the http sink "web" and `extra` top-level members.
  Replica start(const std::string& name, const std::string& server_extra, const std::string& store_json) {
    const auto config = dir_ / (name + ".json");
    std::ofstream(config) << R"({
  "server": {"host": "127.0.0.1", "port": 0, "replica_id": ")"
                          << name << "\"" << server_extra << R"(},
  "plugins": {"directories": [")"
                          << kPluginDir << R"("]},
  "store": )" << store_json
                          << R"(,
  "engine": {"reconcile_interval_ms": 3600000},
  "sinks": [{"name": "web", "plugin": "http", "config": {"url": ")"
                          << receiver_.url("/events") << R"("},
             "delivery": {"retry": {"initial_backoff_ms": 20, "max_backoff_ms": 100, "max_attempts": 1000},
                          "circuit_breaker": {"failure_threshold": 3, "open_ms": 300}}}]})";
    Replica replica;
    replica.process = std::make_unique<ChildProcess>(std::vector<std::string>{kGateway, "--config", config.string()});
    const auto port = ccm::testing::waitForListeningPort(*replica.process, std::chrono::seconds(60));
    EXPECT_TRUE(port) << replica.process->stderrText();
    replica.port = port.value_or(0);
    return replica;
  }

  static rapidjson::Document sinkStatus(const Replica& replica) {
    auto doc = parse(httpCall(replica.port, "GET", "/api/v1/sinks").body);
    rapidjson::Document out;
    for (auto& item : doc["items"].GetArray()) {
      if (std::string(item["name"].GetString()) == "web") out.CopyFrom(item, out.GetAllocator());
    }
    return out;
  }

  static void createDefinitions(const Replica& replica, int count, const std::string& prefix) {
    for (int i = 0; i < count; ++i) {
      const auto reply = httpCall(replica.port, "POST", "/api/v1/definitions",
                                  R"({"name": ")" + prefix + std::to_string(i) + R"(", "lab_yaml": "nodes: []\n"})");
      ASSERT_EQ(reply.status, 201) << reply.body;
    }
  }

  std::set<std::string> deliveredIds() const {
    std::set<std::string> ids;
    for (const auto& request : receiver_.requests()) ids.insert(request.header("ce-id").value_or(""));
    return ids;
  }

  fs::path dir_;
  CloudEventsReceiver receiver_;
  std::vector<Replica> replicas_;
};

class Replicas : public GatewayProcesses {
protected:
  void SetUp() override {
    GatewayProcesses::SetUp();
    auto& server = PostgresServer::shared();
    if (server.status() == PostgresServer::Status::Unavailable) GTEST_SKIP() << server.message();
    ASSERT_EQ(server.status(), PostgresServer::Status::Running) << server.message();
    store_json_ = R"({"driver": "postgresql", "postgresql": {"connection": ")" +
                  server.connectionString(server.createDatabase()) + R"("}})";
  }
  std::string store_json_;
};

TEST_F(Replicas, AStandbyShowsTheSharedCursorAndTheHolderAndTakesADeadHoldersSinkWithinTheLease) {
  auto a = start("replica-a", R"(, "sink_lease_ms": 2000)", store_json_);
  ASSERT_TRUE(waitUntil(std::chrono::seconds(20), [&] { return sinkStatus(a)["leased"].GetBool(); }));
  auto b = start("replica-b", R"(, "sink_lease_ms": 2000)", store_json_);
  createDefinitions(a, 5, "before-");
  ASSERT_TRUE(waitUntil(std::chrono::seconds(20), [&] { return deliveredIds().size() >= 5; }));

  // The standby reports what the holder stored, not its own idle state.
  ASSERT_TRUE(waitUntil(std::chrono::seconds(10), [&] {
    auto status = sinkStatus(b);
    return status["cursor"].GetInt64() >= 5 && status["lag"].GetInt64() == 0;
  }));
  auto standby = sinkStatus(b);
  EXPECT_FALSE(standby["leased"].GetBool());
  EXPECT_STREQ(standby["lease_holder"].GetString(), "replica-a");
  EXPECT_EQ(standby["lag"].GetInt64(), 0);
  EXPECT_STREQ(sinkStatus(a)["lease_holder"].GetString(), "replica-a");
  const auto metrics = httpCall(b.port, "GET", "/metrics").body;
  EXPECT_THAT(metrics, HasSubstr(R"(ccm_sink_lease_holder{replica="replica-a",sink="web"} 1)"));

  // The holder dies: the standby takes the sink once the lease runs out.
  a.process->signal(SIGKILL);
  ASSERT_TRUE(a.process->waitForExit(std::chrono::seconds(10)));
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(waitUntil(std::chrono::seconds(30), [&] { return sinkStatus(b)["leased"].GetBool(); }))
      << b.process->stderrText();
  const auto takeover = std::chrono::steady_clock::now() - killed_at;
  std::cout << "takeover after " << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()
            << " ms (lease 2000 ms)\n";
  EXPECT_STREQ(sinkStatus(b)["lease_holder"].GetString(), "replica-b");
  createDefinitions(b, 3, "after-");
  ASSERT_TRUE(waitUntil(std::chrono::seconds(20), [&] { return deliveredIds().size() >= 8; }))
      << b.process->stderrText();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(receiver_.requests().size(), 8u) << "every event once, by one replica or the other";
}

class Retention : public GatewayProcesses {
protected:
  // Metrics are counted a moment after the store's rows change.
  void expectMetricSoon(const Replica& gateway, const std::string& line) {
    EXPECT_TRUE(
        waitUntil(std::chrono::seconds(5),
                  [&] { return httpCall(gateway.port, "GET", "/metrics").body.find(line) != std::string::npos; }))
        << line << " not in\n"
        << httpCall(gateway.port, "GET", "/metrics").body;
  }
};

TEST_F(Retention, TheLogKeepsItsLimitButWaitsForASinkBehindAndAnswers410ForWhatIsGone) {
  const std::string store = R"({"sqlite": {"path": ")" + (dir_ / "gw.db").string() +
                            R"("}, "retention": {"max_events": 3, "interval_ms": 50}})";
  // The receiver refuses everything at first: the sink stays behind.
  receiver_.setDefaultReply(Reply{.status = 503});
  auto gateway = start("solo", "", store);
  createDefinitions(gateway, 8, "d-");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // several retention passes
  auto page = parse(httpCall(gateway.port, "GET", "/api/v1/events?after=0").body);
  EXPECT_EQ(page["items"].Size(), 8u) << "nothing the sink has not passed is deleted";

  receiver_.setDefaultReply(Reply{.status = 200});
  ASSERT_TRUE(waitUntil(std::chrono::seconds(30), [&] { return sinkStatus(gateway)["delivered"].GetUint64() >= 8; }));
  ASSERT_TRUE(waitUntil(std::chrono::seconds(10), [&] {
    return parse(httpCall(gateway.port, "GET", "/api/v1/events").body)["items"].Size() == 3;
  }));
  const auto gone = httpCall(gateway.port, "GET", "/api/v1/events?after=2");
  EXPECT_EQ(gone.status, 410) << gone.body;
  EXPECT_THAT(gone.body, HasSubstr(R"("first_sequence":6)"));
  EXPECT_THAT(gone.body, HasSubstr("ask again with after=5"));
  EXPECT_EQ(httpCall(gateway.port, "GET", "/api/v1/events?after=5").status, 200);
  // Counted as each delete batch commits, a moment after the rows are gone.
  expectMetricSoon(gateway, "ccm_retention_deleted_events_total 5\n");
}

TEST_F(Retention, ForcedDeletesPastASinkThatIsDownAreListedAsItsSkippedRanges) {
  const std::string store = R"({"sqlite": {"path": ")" + (dir_ / "gw.db").string() +
                            R"("}, "retention": {"max_events": 2, "force_after_seconds": 1, "interval_ms": 50}})";
  receiver_.setDefaultReply(Reply{.status = 503});
  auto gateway = start("solo", "", store);
  createDefinitions(gateway, 6, "d-");
  const auto skippedEvents = [&](const std::string& query) {
    auto page = parse(httpCall(gateway.port, "GET", "/api/v1/sinks/web/skipped" + query).body);
    std::int64_t events = 0;
    for (const auto& range : page["items"].GetArray()) events += range["events"].GetInt64();
    return std::pair{page["items"].Size(), events};
  };
  ASSERT_TRUE(waitUntil(std::chrono::seconds(20), [&] { return skippedEvents("").second == 4; }))
      << httpCall(gateway.port, "GET", "/api/v1/sinks/web/skipped").body;
  auto first = parse(httpCall(gateway.port, "GET", "/api/v1/sinks/web/skipped").body);
  EXPECT_STREQ(first["items"][0]["reason"].GetString(), "store.retention.force_after_seconds");
  EXPECT_EQ(first["offset"].GetUint64(), 0u);
  const auto ranges = skippedEvents("").first;
  EXPECT_EQ(skippedEvents("?offset=" + std::to_string(ranges)).first, 0u) << "the offset pages";
  EXPECT_EQ(skippedEvents("?limit=1").first, 1u);
  const auto unknown = httpCall(gateway.port, "GET", "/api/v1/sinks/nosuch/skipped");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_THAT(unknown.body, HasSubstr("sink nosuch is not configured"));
  expectMetricSoon(gateway, R"(ccm_retention_skipped_events_total{sink="web"} 4)");
}

// docs/delivery.md#redrive: a redrive is stored, so either replica takes it
// and the lease holder sends it; one active redrive per sink holds across
// replicas, and either can cancel it.
TEST_F(Replicas, ARedriveAskedOfTheStandbyIsSentByTheLeaseHolder) {
  using namespace std::chrono_literals;
  auto a = start("replica-a", "", store_json_);
  ASSERT_TRUE(waitUntil(20s, [&] { return sinkStatus(a)["leased"].GetBool(); }));
  auto b = start("replica-b", "", store_json_);
  createDefinitions(a, 4, "d-");
  ASSERT_TRUE(waitUntil(20s, [&] { return sinkStatus(b)["cursor"].GetInt64() >= 4; }));  // stored by the holder
  const auto originals = deliveredIds();

  auto started = httpCall(b.port, "POST", "/api/v1/sinks/web/redrive", R"({"from_sequence": 1})");
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id = parse(started.body)["id"].GetString();
  EXPECT_EQ(parse(started.body)["to_sequence"].GetInt64(), 4);
  const auto state = [&](const Replica& replica, const std::string& redrive) {
    auto doc = parse(httpCall(replica.port, "GET", "/api/v1/sinks/web/redrives/" + redrive).body);
    return std::string(doc.IsObject() && doc.HasMember("state") ? doc["state"].GetString() : "");
  };
  ASSERT_TRUE(waitUntil(20s, [&] { return state(b, id) == "completed"; }));
  ASSERT_EQ(receiver_.requests().size(), 8u);
  std::set<std::string> again;
  for (std::size_t i = 4; i < 8; ++i) again.insert(receiver_.requests()[i].header("ce-id").value_or(""));
  EXPECT_EQ(again, originals);
  EXPECT_TRUE(a.process->waitForStderrLine("redrive completed", 5s));

  receiver_.setDefaultReply(Reply{.delay = 300ms});  // the next one stays active for a while
  auto second = httpCall(a.port, "POST", "/api/v1/sinks/web/redrive", R"({"from_sequence": 1})");
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string second_id = parse(second.body)["id"].GetString();
  auto refused = httpCall(b.port, "POST", "/api/v1/sinks/web/redrive", R"({"from_sequence": 2})");
  EXPECT_EQ(refused.status, 409);
  EXPECT_THAT(refused.body, HasSubstr(second_id));
  ASSERT_TRUE(waitUntil(10s, [&] { return sinkStatus(b).HasMember("redrive"); }));
  EXPECT_STREQ(sinkStatus(b)["redrive"]["id"].GetString(), second_id.c_str());
  auto cancelled = httpCall(b.port, "POST", "/api/v1/sinks/web/redrives/" + second_id + "/cancel");
  EXPECT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(state(a, second_id), "cancelled");
}

}  // namespace
