// Two replicas on one PostgreSQL store; the one holding the sink's lease is
// killed under load, again and again (it comes back as the standby): nothing
// accepted is lost, each subject's events arrive in order, and the sink never
// hears from both replicas at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "fault_run.hpp"
#include "postgres_server.hpp"

namespace ccm::resilience {
namespace {

using ccm::testing::PostgresServer;

class Failover : public FaultRun {};

// Handovers between replicas in the order the sink heard them; a handover
// without a kill between the old holder's last delivery and the new one's
// first means both delivered at once.
struct Handovers {
  std::size_t count = 0;
  std::size_t overlapping = 0;
};
Handovers handovers(const std::vector<Delivery>& deliveries, const std::vector<Clock::time_point>& kills) {
  Handovers result;
  for (std::size_t i = 1; i < deliveries.size(); ++i) {
    if (deliveries[i].path == deliveries[i - 1].path) continue;
    ++result.count;
    const auto between = std::find_if(kills.begin(), kills.end(), [&](auto at) {
      return at + kLateArrival >= deliveries[i - 1].at && at <= deliveries[i].at;
    });
    if (between == kills.end()) ++result.overlapping;
  }
  return result;
}

TEST_F(Failover, TheLeaseHolderKilledUnderLoadLosesNothingAndKeepsOrder) {
  auto& postgres = PostgresServer::shared();
  if (postgres.status() == PostgresServer::Status::Unavailable) GTEST_SKIP() << postgres.message();
  ASSERT_EQ(postgres.status(), PostgresServer::Status::Running) << postgres.message();
  const int kills_wanted = scaled(2, 8);
  const auto cycle = std::chrono::milliseconds(scaled(2500, 4000));
  const int batch_size = 20;
  const int concurrency = 2;
  const std::string store = R"({"driver": "postgresql", "postgresql": {"connection": ")" +
                            postgres.connectionString(postgres.createDatabase()) + R"("}})";

  RecordingSink sink;
  const std::vector<std::string> names = {"a", "b"};
  std::vector<std::unique_ptr<Gateway>> replicas;
  Targets targets(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto config = dir_ / (names[i] + ".json");
    std::ofstream(config) << gatewayConfig(store, sink.url("/" + names[i]), batch_size, concurrency,
                                           R"(, "replica_id": ")" + names[i] + R"(", "sink_lease_ms": 1000)");
    replicas.push_back(std::make_unique<Gateway>(config, gatewayEnv()));
    ASSERT_TRUE(replicas[i]->start()) << replicas[i]->log();
    targets.set(i, replicas[i]->port());
  }

  Senders senders(targets, {.clients = 4, .batch = 5, .subjects = 4});
  std::vector<Clock::time_point> kills;
  std::vector<std::chrono::milliseconds> takeovers;
  for (int k = 0; k < kills_wanted; ++k) {
    std::this_thread::sleep_for(cycle);
    const auto so_far = sink.deliveries();
    ASSERT_FALSE(so_far.empty()) << "nothing delivered yet\n" << replicas[0]->log() << replicas[1]->log();
    const std::size_t holder = so_far.back().path == "/a" ? 0 : 1;
    targets.set(holder, 0);
    kills.push_back(replicas[holder]->kill());
    // Back only once the other replica took over: with its old replica_id
    // it would otherwise find its own lease and carry on.
    const std::string other = "/" + names[1 - holder];
    const bool taken = waitUntil(std::chrono::seconds(10), [&] {
      const auto now = sink.deliveries();
      return !now.empty() && now.back().path == other;
    });
    takeovers.push_back(since(kills.back()));
    ASSERT_TRUE(taken) << "the standby did not take over\n" << replicas[1 - holder]->log();
    ASSERT_TRUE(replicas[holder]->start()) << replicas[holder]->log();  // back, as the standby
    targets.set(holder, replicas[holder]->port());
  }
  std::this_thread::sleep_for(cycle);
  const auto [figures, drained, drain_ms, deliveries, check] = finishRun(senders, sink, std::chrono::seconds(60));
  const auto windows = duplicateWindows(deliveries, kills);
  const auto switches = handovers(deliveries, kills);
  printFigures("replica-failover",
               {{"holder_kills", std::to_string(kills.size())},
                {"accepted", std::to_string(figures.accepted.size())},
                {"unknown_outcome", std::to_string(figures.unknown)},
                {"delivered_distinct", std::to_string(sink.distinctIds())},
                {"lost", std::to_string(check.lost.size())},
                {"duplicates", std::to_string(check.duplicates)},
                {"duplicate_window_ms", std::to_string(windows.largest.count())},
                {"handovers", std::to_string(switches.count)},
                {"slowest_takeover_ms", std::to_string(std::max_element(takeovers.begin(), takeovers.end())->count())},
                {"overlapping_handovers", std::to_string(switches.overlapping)},
                {"subjects_out_of_order", std::to_string(check.out_of_order.size())}});
  EXPECT_TRUE(drained) << replicas[0]->log() << replicas[1]->log();
  expectNoneLostAndInOrder(check);
  EXPECT_EQ(switches.overlapping, 0u) << "two replicas delivered at once";
  EXPECT_GE(switches.count, kills.size()) << "each kill of the holder hands the sink to the other replica";
  EXPECT_EQ(windows.unexplained, 0u);
  EXPECT_LE(windows.largest, kCrashWindow)
      << "docs/delivery.md: a kill repeats only what was in flight or acknowledged in its last 20 ms";
}

}  // namespace
}  // namespace ccm::resilience
