// Event log retention (Store::pruneEventLog), the oldest retained sequence,
// replays whose event retention deleted, and SQLite giving pages back, on
// both databases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "delivery/event_log_retention.hpp"
#include "observability/metrics_registry.hpp"
#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

void appendEvents(Store& store, int count, const std::string& prefix = "e-") {
  auto transaction = store.begin();
  for (int i = 0; i < count; ++i) {
    transaction->appendEvent(sampleEvent(prefix + std::to_string(i), "ccm.a", "s-" + std::to_string(i % 3)));
  }
  transaction->commit();
}

std::vector<std::int64_t> sequences(Store& store) {
  EventQuery query;
  query.limit = 1000;
  std::vector<std::int64_t> out;
  for (const auto& stored : store.readEvents(query)) out.push_back(stored.sequence);
  return out;
}

// `batches` commits of 100 events each.
void appendBatches(Store& store, int batches) {
  for (int i = 0; i < batches; ++i) appendEvents(store, 100, "b" + std::to_string(i) + "-");
}

// The retention task over `store`, with no sink to wait for.
EventLogRetention retentionTask(Store& store, MetricsRegistry& metrics, const StoreConfig::Retention& settings,
                                EventLogRetention::Pacing pacing = {}) {
  return EventLogRetention(
      store, metrics, settings, [] { return std::vector<std::string>{}; }, pacing);
}

RetentionLimits keepNewest(std::int64_t events, std::size_t batch = 1000) {
  RetentionLimits limits;
  limits.max_events = events;
  limits.batch_size = batch;
  return limits;
}

TEST_P(StoreTest, RetentionDeletesTheOldestEventsBeyondMaxEventsInBatches) {
  auto store = open();
  ASSERT_TRUE(store);
  appendEvents(*store, 10);
  EXPECT_EQ(store->firstSequence(), 1);

  auto pass = store->pruneEventLog(keepNewest(4, 3), {});
  EXPECT_EQ(pass.deleted, 3);
  EXPECT_TRUE(pass.more) << "a full batch: there may be more";
  pass = store->pruneEventLog(keepNewest(4, 3), {});
  EXPECT_EQ(pass.deleted, 3);
  pass = store->pruneEventLog(keepNewest(4, 3), {});
  EXPECT_EQ(pass.deleted, 0);
  EXPECT_FALSE(pass.more);
  EXPECT_THAT(sequences(*store), ElementsAre(7, 8, 9, 10));
  EXPECT_EQ(store->firstSequence(), 7);
  EXPECT_EQ(store->lastSequence(), 10) << "sequences go on after a delete";
  appendEvents(*store, 1, "f-");
  EXPECT_EQ(store->lastSequence(), 11);
}

TEST_P(StoreTest, RetentionNeverDeletesWhatASinkHasNotPassed) {
  auto store = open();
  ASSERT_TRUE(store);
  appendEvents(*store, 10);
  store->loadSinkProgress("slow", 3);  // passed 1..3
  store->loadSinkProgress("fast", 10);
  const auto pass = store->pruneEventLog(keepNewest(2), {"slow", "fast"});
  EXPECT_EQ(pass.deleted, 3);
  EXPECT_THAT(pass.skipped, IsEmpty());
  EXPECT_EQ(store->firstSequence(), 4);
  // A sink no longer configured holds nothing back.
  EXPECT_EQ(store->pruneEventLog(keepNewest(2), {"fast"}).deleted, 5);
  EXPECT_THAT(sequences(*store), ElementsAre(9, 10));
}

TEST_P(StoreTest, RetentionForcedByAgeRecordsWhatEachSinkBehindMissed) {
  auto store = open();
  ASSERT_TRUE(store);
  appendEvents(*store, 6);
  store->loadSinkProgress("down", 2);
  store->loadSinkProgress("up", 6);
  executeSql(
      "INSERT INTO sink_retries (sink, sequence, attempts, first_error, first_error_at, last_error,"
      " last_error_at) VALUES ('down', 3, 4, 'e', '2026-01-01T00:00:00Z', 'e', '2026-01-01T00:00:00Z')");

  RetentionLimits limits = keepNewest(2);
  // Not yet old enough to force: the slow sink holds the log at 3.
  limits.force_recorded_before = "2000-01-01T00:00:00.000Z";
  EXPECT_EQ(store->pruneEventLog(limits, {"down", "up"}).deleted, 2);
  // Older than the force limit: deleted anyway, and recorded.
  limits.force_recorded_before = "2999-01-01T00:00:00.000Z";
  const auto pass = store->pruneEventLog(limits, {"down", "up"});
  EXPECT_EQ(pass.deleted, 2);
  ASSERT_EQ(pass.skipped.size(), 1u);
  EXPECT_EQ(pass.skipped[0].sink, "down");
  EXPECT_EQ(pass.skipped[0].first_sequence, 3);
  EXPECT_EQ(pass.skipped[0].last_sequence, 4);
  EXPECT_EQ(pass.skipped[0].events, 2);
  EXPECT_THAT(sequences(*store), ElementsAre(5, 6));
  const auto recorded = store->sinkSkips("down", 10, 0);
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].events, 2);
  EXPECT_THAT(store->sinkSkips("down", 10, 1), IsEmpty()) << "the offset pages";
  EXPECT_THAT(store->sinkSkips("up", 10, 0), IsEmpty());
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM sink_retries WHERE sink = 'down'"), 0)
      << "a retry of a deleted event is dropped with it";
}

TEST_P(StoreTest, RetentionByAgeDeletesEventsRecordedBeforeTheCutoff) {
  auto store = open();
  ASSERT_TRUE(store);
  appendEvents(*store, 4);
  executeSql("UPDATE event_log SET recorded_at = '2026-01-01T00:00:00.000Z' WHERE sequence <= 2");
  RetentionLimits limits;
  limits.recorded_before = "2026-06-01T00:00:00.000Z";
  EXPECT_EQ(store->pruneEventLog(limits, {}).deleted, 2);
  EXPECT_THAT(sequences(*store), ElementsAre(3, 4));
}

TEST_P(StoreTest, RetentionByBytesKeepsAboutThatManyBytesOfRows) {
  auto store = open();
  ASSERT_TRUE(store);
  appendEvents(*store, 100);
  const std::int64_t per_event = queryInteger(
      "SELECT MAX(LENGTH(body) + LENGTH(event_id) + LENGTH(source) + LENGTH(type) + LENGTH(subject) +"
      " LENGTH(time) + LENGTH(recorded_at) + 8) FROM event_log");
  RetentionLimits limits;
  limits.max_bytes = per_event * 10;
  store->pruneEventLog(limits, {});
  const auto kept = static_cast<std::int64_t>(sequences(*store).size());
  EXPECT_GE(kept, 10);
  EXPECT_LE(kept, 11);
}

TEST_P(StoreTest, AReplayedDeadLetterCarriesItsEventAfterRetentionDeletedIt) {
  auto store = open();
  ASSERT_TRUE(store);
  appendEvents(*store, 3);
  executeSql(
      "INSERT INTO dead_letters (id, sink, sequence, event_id, type, subject, attempts, first_error,"
      " first_error_at, last_error, last_error_at, dead_at, body) SELECT 'dl-1', 'web', sequence, event_id,"
      " type, subject, 5, 'e', recorded_at, 'e', recorded_at, recorded_at, body FROM event_log"
      " WHERE sequence = 1");
  EXPECT_EQ(store->replayDeadLetters({}), 1u);
  EXPECT_EQ(store->pruneEventLog(keepNewest(1), {}).deleted, 2);
  const auto replays = store->sinkReplays("web");
  ASSERT_EQ(replays.size(), 1u);
  EXPECT_EQ(replays[0].sequence, 1);
  ASSERT_TRUE(replays[0].stored);
  EXPECT_EQ(replays[0].stored->event.id, "e-0");
  EXPECT_EQ(store->readEvent(1), std::nullopt) << "the log itself no longer has it";
}

TEST_P(StoreTest, AnEmptyLogStartsAfterTheLastSequence) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->firstSequence(), 1);
  appendEvents(*store, 2);
  store->pruneEventLog(keepNewest(1), {});
  store->pruneEventLog(keepNewest(1), {});
  executeSql("DELETE FROM event_log");
  EXPECT_EQ(store->firstSequence(), 3);
}

TEST_P(StoreTest, SqliteUsesIncrementalAutoVacuumAndGivesFreedPagesBack) {
  if (onPostgresql()) GTEST_SKIP() << "PostgreSQL reuses space through autovacuum";
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(queryInteger("PRAGMA auto_vacuum"), 2);
  appendBatches(*store, 20);
  const auto pages_full = queryInteger("PRAGMA page_count");
  while (store->pruneEventLog(keepNewest(10), {}).more) {
  }
  const auto space = store->fileSpace();
  EXPECT_EQ(space.pages, queryInteger("PRAGMA page_count"));
  EXPECT_EQ(space.free_pages, queryInteger("PRAGMA freelist_count"));
  ASSERT_GT(space.free_pages, 2);
  EXPECT_EQ(store->releaseFreePages(2), 2) << "no more than asked, in one step";
  EXPECT_EQ(queryInteger("PRAGMA freelist_count"), space.free_pages - 2);
  EXPECT_EQ(queryInteger("PRAGMA page_count"), space.pages - 2);
  EXPECT_EQ(store->releaseFreePages(1000000), space.free_pages - 2);
  EXPECT_EQ(queryInteger("PRAGMA freelist_count"), 0);
  EXPECT_LT(queryInteger("PRAGMA page_count"), pages_full / 2);
}

TEST_P(StoreTest, TheRetentionTaskDeletesInPacedBatchesAndGivesBackFreePagesDownToASixteenth) {
  config_.retention.max_events = 10;
  auto store = open();
  ASSERT_TRUE(store);
  appendBatches(*store, 20);
  MetricsRegistry metrics;
  auto retention = retentionTask(*store, metrics, config_.retention);
  EXPECT_EQ(retention.runOnce(), 1990);
  EXPECT_THAT(sequences(*store), ::testing::SizeIs(10));
  const auto rendered = metrics.renderPrometheus();
  EXPECT_THAT(rendered, ::testing::HasSubstr("ccm_retention_deleted_events_total 1990"));
  if (onPostgresql()) return;
  const auto space = store->fileSpace();
  EXPECT_GT(space.free_pages, 0) << "a margin is kept for the next events";
  EXPECT_LE(space.free_pages, space.pages / 16 + 1);
  EXPECT_THAT(rendered, ::testing::HasSubstr("ccm_store_pages_released_total"));
  // Below 1/8 free nothing more is given back.
  const auto before = store->fileSpace();
  retention.runOnce();
  EXPECT_EQ(store->fileSpace().pages, before.pages);
}

TEST_P(StoreTest, ARetentionPassThatRunsOutOfBudgetIsBehindUntilAPassCatchesUp) {
  config_.retention.max_events = 10;
  auto store = open();
  ASSERT_TRUE(store);
  appendBatches(*store, 5);
  MetricsRegistry metrics;
  // A budget of nothing: one batch per pass.
  auto retention = retentionTask(*store, metrics, config_.retention, {.loop_budget = {}});
  EXPECT_EQ(retention.runOnce(), static_cast<std::int64_t>(RetentionPacer::kFirstSize));
  EXPECT_TRUE(retention.behind());
  EXPECT_THAT(metrics.renderPrometheus(), ::testing::HasSubstr("ccm_retention_behind 1"));
  int passes = 1;
  while (retention.behind() && passes < 100) {
    retention.runOnce();
    ++passes;
  }
  EXPECT_FALSE(retention.behind());
  EXPECT_GT(passes, 1);
  EXPECT_THAT(sequences(*store), ::testing::SizeIs(10));
  EXPECT_THAT(metrics.renderPrometheus(), ::testing::HasSubstr("ccm_retention_behind 0"));
}

TEST_P(StoreTest, AnOlderSqliteDatabaseIsConvertedToIncrementalAutoVacuumOnOpen) {
  if (onPostgresql()) GTEST_SKIP() << "SQLite only";
  {
    auto store = open();
    ASSERT_TRUE(store);
    appendEvents(*store, 5);
  }
  executeSql("PRAGMA auto_vacuum = NONE; VACUUM");  // one connection: the mode changes at the VACUUM
  ASSERT_EQ(queryInteger("PRAGMA auto_vacuum"), 0);
  auto reopened = open();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(queryInteger("PRAGMA auto_vacuum"), 2);
  EXPECT_THAT(sequences(*reopened), ElementsAre(1, 2, 3, 4, 5)) << "nothing lost by the conversion";
}

}  // namespace
}  // namespace ccm::core::store_test
