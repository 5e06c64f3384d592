// PostgreSQL stopped (as a crash would) and started again under ingest load:
// the gateway answers 503 while the store is away, takes events again once it
// is back without being restarted, and delivers every event it accepted.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "fault_run.hpp"
#include "postgres_server.hpp"

namespace ccm::resilience {
namespace {

using ccm::testing::PostgresServer;

// docs/delivery.md: what was acknowledged while the store was away (and just
// before, as with a crash) cannot be recorded and is sent again once the
// dispatcher resumes from the stored cursor. Counts the duplicates whose
// earlier delivery was outside every outage.
struct Outage {
  Clock::time_point stopped;
  Clock::time_point back;
};
std::size_t duplicatesOutsideOutages(const std::vector<Delivery>& deliveries, const std::vector<Outage>& outages) {
  std::unordered_map<std::string, Clock::time_point> previous;
  std::size_t outside = 0;
  for (const auto& delivery : deliveries) {
    auto [it, fresh] = previous.try_emplace(delivery.id, delivery.at);
    if (fresh) continue;
    const bool explained = std::any_of(outages.begin(), outages.end(), [&](const Outage& outage) {
      return it->second + kCrashWindow >= outage.stopped && it->second <= outage.back && delivery.at > outage.stopped;
    });
    outside += explained ? 0 : 1;
    it->second = delivery.at;
  }
  return outside;
}

class PostgresRestart : public FaultRun {};

constexpr int kSubjects = 4;

TEST_F(PostgresRestart, TheGatewayAnswers503WhileTheStoreIsAwayAndRecoversWithoutARestart) {
  // A server of its own: the shared one must not disappear under other tests,
  // and its commits must survive the crash-like stop.
  PostgresServer postgres(true);
  if (postgres.status() == PostgresServer::Status::Unavailable) GTEST_SKIP() << postgres.message();
  ASSERT_EQ(postgres.status(), PostgresServer::Status::Running) << postgres.message();
  const int restarts = scaled(1, 4);
  const auto outage = std::chrono::milliseconds(scaled(3000, 10000));
  const auto load_between = std::chrono::milliseconds(scaled(2000, 5000));

  RecordingSink sink;
  std::ofstream(dir_ / "gateway.json") << gatewayConfig(R"({"driver": "postgresql", "postgresql": {"connection": ")" +
                                                            postgres.connectionString(postgres.createDatabase()) +
                                                            R"("}})",
                                                        sink.url("/events"), 50, 2);
  Gateway gateway(dir_ / "gateway.json", gatewayEnv());
  ASSERT_TRUE(gateway.start()) << gateway.log();
  const int pid = gateway.pid();

  Targets targets(1);
  targets.set(0, gateway.port());
  Senders senders(targets, {.clients = 4, .batch = 5, .subjects = kSubjects});
  std::vector<Outage> outages;
  std::chrono::milliseconds slowest_503{0};
  std::chrono::milliseconds slowest_recovery{0};
  for (int i = 0; i < restarts; ++i) {
    std::this_thread::sleep_for(load_between);
    const auto refused_before = senders.requests503SoFar();
    const auto stopped_at = Clock::now();
    ASSERT_TRUE(postgres.stop()) << postgres.message();
    ASSERT_TRUE(waitUntil(std::chrono::seconds(30), [&] { return senders.requests503SoFar() > refused_before; }))
        << "no 503 while PostgreSQL is down\n"
        << gateway.log();
    slowest_503 = std::max(slowest_503, since(stopped_at));
    std::this_thread::sleep_for(outage);
    const auto accepted_before = senders.acceptedSoFar();
    const auto restarting = Clock::now();
    ASSERT_TRUE(postgres.restart()) << postgres.message();
    outages.push_back({stopped_at, Clock::now()});
    ASSERT_TRUE(waitUntil(std::chrono::seconds(60), [&] { return senders.acceptedSoFar() > accepted_before; }))
        << "no 202 after PostgreSQL came back\n"
        << gateway.log();
    // From `pg_ctl start`, PostgreSQL's own start-up included.
    slowest_recovery = std::max(slowest_recovery, since(restarting));
  }
  std::this_thread::sleep_for(load_between);
  const auto [figures, drained, drain_ms, deliveries, check] = finishRun(senders, sink, std::chrono::seconds(60));
  // A 503 means nothing was applied unless the store died during the commit
  // itself: the gateway cannot know, and the sender's retry is then
  // acknowledged as a duplicate (docs/ingress.md).
  std::vector<std::string> refused_but_logged;
  for (const auto& id : figures.refused) {
    if (sink.received(id)) refused_but_logged.push_back(id);
  }
  std::size_t retried_as_duplicates = 0;
  if (!refused_but_logged.empty()) {
    const auto retry = postLoad(gateway.port(), loadBatch(refused_but_logged, kSubjects));
    for (auto at = retry.body.find(R"("result":"duplicate")"); at != std::string::npos;
         at = retry.body.find(R"("result":"duplicate")", at + 1)) {
      ++retried_as_duplicates;
    }
  }
  std::string others;
  for (const auto& [status, count] : figures.other_statuses)
    others += std::to_string(status) + "x" + std::to_string(count) + ";";
  printFigures("postgresql-restart", {{"restarts", std::to_string(restarts)},
                                      {"outage_ms", std::to_string(outage.count())},
                                      {"accepted", std::to_string(figures.accepted.size())},
                                      {"requests_503", std::to_string(figures.requests_503)},
                                      {"other_statuses", others.empty() ? "none" : others},
                                      {"unknown_outcome", std::to_string(figures.unknown)},
                                      {"first_503_after_ms", std::to_string(slowest_503.count())},
                                      {"first_202_after_start_ms", std::to_string(slowest_recovery.count())},
                                      {"lost", std::to_string(check.lost.size())},
                                      {"duplicates", std::to_string(check.duplicates)},
                                      {"refused_but_logged", std::to_string(refused_but_logged.size())}});
  EXPECT_TRUE(drained) << gateway.log();
  expectNoneLostAndInOrder(check);
  EXPECT_EQ(duplicatesOutsideOutages(deliveries, outages), 0u)
      << "only what was acknowledged while the store was away may repeat";
  EXPECT_EQ(retried_as_duplicates, refused_but_logged.size())
      << "an event refused with 503 but logged all the same must be a duplicate when sent again";
  EXPECT_TRUE(gateway.running());
  EXPECT_EQ(gateway.pid(), pid);
}

}  // namespace
}  // namespace ccm::resilience
