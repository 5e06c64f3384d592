// SQLite on a full disk: a small tmpfs the test mounts (as root) holds the
// database; once it is full, ingest answers 503 for what it cannot write and
// writes nothing of it; what was accepted stays whole, and ingest resumes
// when space returns.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fault_run.hpp"
#include "http_call.hpp"

namespace ccm::resilience {
namespace {

namespace fs = std::filesystem;
using ccm::testing::runCommand;

// Writes zeros to `file` until the file system has no space left.
void fill(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0) << file;
  const std::string block(64 * 1024, '\0');
  while (::write(fd, block.data(), block.size()) > 0) {
  }
  ::close(fd);
}

std::string sqliteCheck(const fs::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  std::string result;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      result = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    } else {
      result = sqlite3_errmsg(handle);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(handle);
  return result;
}

class FullDisk : public FaultRun {
protected:
  void SetUp() override {
    FaultRun::SetUp();
    disk_ = dir_ / "disk";
    fs::create_directories(disk_);
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
    const auto mount = runCommand({"/bin/mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk_.string()});
    if (mount.exit_code != 0) GTEST_SKIP() << "cannot mount a tmpfs on " << disk_ << ": " << mount.err;
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) runCommand({"/bin/umount", disk_.string()});
    FaultRun::TearDown();
  }
  fs::path disk_;
  bool mounted_ = false;
};

TEST_F(FullDisk, IngestAnswers503WritesNothingAndResumesWhenSpaceReturns) {
  RecordingSink sink;
  const auto db = disk_ / "gw.db";
  std::ofstream(dir_ / "gateway.json") << gatewayConfig(R"({"sqlite": {"path": ")" + db.string() + R"("}})",
                                                        sink.url("/events"), 50, 1);
  Gateway gateway(dir_ / "gateway.json", gatewayEnv());
  ASSERT_TRUE(gateway.start()) << gateway.log();
  Targets targets(1);
  targets.set(0, gateway.port());
  Senders senders(targets, {.clients = 2, .batch = 20, .subjects = 4});
  ASSERT_TRUE(waitUntil(std::chrono::seconds(10), [&] { return senders.acceptedSoFar() > 200; }));

  fill(disk_ / "filler");
  ASSERT_TRUE(waitUntil(std::chrono::seconds(30), [&] { return senders.requests503SoFar() > 0; }))
      << "no 503 on a full disk\n"
      << gateway.log();
  // While the disk stays full, requests are refused. A commit that fits in
  // space the database already has (its free pages, a WAL that starts over
  // after a checkpoint) still succeeds, durably, and is acknowledged: a full
  // disk must never acknowledge what was not written, nor lose what was
  // (both checked at the end), but it need not refuse everything.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto accepted_full = senders.acceptedSoFar();
  const auto refused_full = senders.requests503SoFar();
  std::this_thread::sleep_for(std::chrono::milliseconds(scaled(1000, 5000)));
  const auto accepted_while_full = senders.acceptedSoFar() - accepted_full;
  const auto refused_while_full = senders.requests503SoFar() - refused_full;
  EXPECT_GT(refused_while_full, 0u) << "refusals stop while the disk is still full";
  // The refusal's problem details: probes, each a new event, until one is
  // refused; any accepted on the way must be logged and delivered like the rest.
  std::vector<std::string> probes_accepted;
  ccm::testing::HttpReply problem;
  for (int n = 1; n <= 20; ++n) {
    const std::string id = "probe-" + std::to_string(n);
    problem = ccm::testing::httpCall(
        gateway.port(), "POST", "/api/v1/events",
        R"({"specversion": "1.0", "source": "urn:resilience", "type": "test.load", "id": ")" + id + R"(", "data": {}})",
        "application/cloudevents+json", {{{"Authorization", std::string("Bearer ") + kSenderToken}}});
    if (problem.status != 202) break;
    probes_accepted.push_back(id);
  }
  EXPECT_EQ(problem.status, 503) << problem.body;
  EXPECT_EQ(problem.content_type, "application/problem+json");

  const auto space_back = Clock::now();
  fs::remove(disk_ / "filler");
  ASSERT_TRUE(waitUntil(std::chrono::seconds(30), [&] { return senders.acceptedSoFar() > accepted_full; }))
      << "ingest did not resume once space returned\n"
      << gateway.log();
  const auto resumed_ms = since(space_back);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto [figures, drained, drain_ms, deliveries, check] = finishRun(senders, sink, std::chrono::seconds(30));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // anything else logged would show up by now
  std::size_t refused_but_delivered = 0;
  for (const auto& id : figures.refused) refused_but_delivered += sink.received(id) ? 1 : 0;
  for (const auto& id : probes_accepted) EXPECT_TRUE(sink.received(id)) << "accepted probe " << id << " lost";
  const auto accepted_in_all = figures.accepted.size() + probes_accepted.size();
  gateway.kill();
  const auto integrity = sqliteCheck(db, "PRAGMA integrity_check");
  const auto logged = sqliteCheck(db, "SELECT count(*) FROM event_log");
  printFigures("sqlite-full-disk", {{"accepted", std::to_string(figures.accepted.size())},
                                    {"requests_503", std::to_string(figures.requests_503)},
                                    {"accepted_while_full", std::to_string(accepted_while_full)},
                                    {"requests_503_while_full", std::to_string(refused_while_full)},
                                    {"probes_accepted", std::to_string(probes_accepted.size())},
                                    {"resumed_after_ms", std::to_string(resumed_ms.count())},
                                    {"logged", logged},
                                    {"delivered_distinct", std::to_string(sink.distinctIds())},
                                    {"lost", std::to_string(check.lost.size())},
                                    {"refused_but_delivered", std::to_string(refused_but_delivered)},
                                    {"integrity_check", integrity}});
  EXPECT_TRUE(drained) << gateway.log();
  expectNoneLostAndInOrder(check);
  EXPECT_EQ(refused_but_delivered, 0u) << "a 503 means nothing was written";
  EXPECT_EQ(sink.distinctIds(), accepted_in_all);
  EXPECT_EQ(logged, std::to_string(accepted_in_all));
  EXPECT_EQ(integrity, "ok");
}

}  // namespace
}  // namespace ccm::resilience
