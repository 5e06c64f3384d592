// SIGKILL cycles under ingest load, on SQLite, while the sink is first down,
// then answers 503, then accepts: every event that got 202 reaches the sink,
// and only what docs/delivery.md allows a crash to repeat arrives twice.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fault_run.hpp"

namespace ccm::resilience {
namespace {


class KillCycles : public FaultRun {};

TEST_F(KillCycles, EveryAcceptedEventReachesTheSinkThroughKillsAnOutageAnd503s) {
  const int cycles = scaled(6, 24);
  const auto cycle = std::chrono::milliseconds(scaled(1500, 2500));
  RecordingSink sink;
  const int batch_size = 20;
  const int concurrency = 2;
  std::ofstream(dir_ / "gateway.json") << gatewayConfig(
      R"({"sqlite": {"path": ")" + (dir_ / "gw.db").string() + R"("}})", sink.url("/events"), batch_size, concurrency);
  Gateway gateway(dir_ / "gateway.json", gatewayEnv());
  ASSERT_TRUE(gateway.start()) << gateway.log();

  // The first third of the cycles the sink is down, the second it answers 503.
  // Down before the load starts: a batch it took and then dropped unanswered
  // on going down would come again after the first kill, as if that kill had
  // repeated it.
  sink.goDown();
  Targets targets(1);
  targets.set(0, gateway.port());
  Senders senders(targets, {.clients = 4, .batch = 5, .subjects = 4});
  std::vector<Clock::time_point> kills;
  for (int i = 0; i < cycles; ++i) {
    if (i == cycles / 3) {
      sink.setMode(RecordingSink::Mode::Unavailable);
      sink.comeBack();
    }
    if (i == 2 * cycles / 3) sink.setMode(RecordingSink::Mode::Accept);
    std::this_thread::sleep_for(cycle);  // the load runs meanwhile
    targets.set(0, 0);
    kills.push_back(gateway.kill());
    ASSERT_TRUE(gateway.start()) << gateway.log();
    targets.set(0, gateway.port());
  }
  std::this_thread::sleep_for(cycle);
  const auto [figures, drained, drain_ms, deliveries, check] =
      finishRun(senders, sink, std::chrono::seconds(scaled(60, 180)));
  const auto windows = duplicateWindows(deliveries, kills);
  printFigures("sigkill-cycles", {{"kill_cycles", std::to_string(cycles)},
                                  {"accepted", std::to_string(figures.accepted.size())},
                                  {"requests_503", std::to_string(figures.requests_503)},
                                  {"unknown_outcome", std::to_string(figures.unknown)},
                                  {"sink_503_answers", std::to_string(sink.unavailableAnswers())},
                                  {"delivered_distinct", std::to_string(sink.distinctIds())},
                                  {"lost", std::to_string(check.lost.size())},
                                  {"duplicates", std::to_string(check.duplicates)},
                                  {"duplicate_window_ms", std::to_string(windows.largest.count())},
                                  {"drain_ms", std::to_string(drain_ms.count())}});
  EXPECT_TRUE(drained) << gateway.log();
  expectNoneLostAndInOrder(check);
  EXPECT_GT(figures.accepted.size(), 0u);
  EXPECT_EQ(windows.unexplained, 0u) << "a duplicate with no kill between its two deliveries";
  EXPECT_LE(windows.largest, kCrashWindow)
      << "docs/delivery.md: a kill repeats only what was in flight or acknowledged in its last 20 ms";
  EXPECT_GT(sink.unavailableAnswers(), 0u);
}

}  // namespace
}  // namespace ccm::resilience
