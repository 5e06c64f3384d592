// Ingress deduplication keys, savepoints and the group-commit sized writes,
// on both databases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

using ::testing::ElementsAre;

constexpr const char* kFarFuture = "2999-01-01T00:00:00Z";

IngressKey key(const std::string& source, const std::string& id) {
  return {source, id, kFarFuture};
}

std::vector<std::string> eventIds(Store& store) {
  EventQuery query;
  query.limit = 1000;
  std::vector<std::string> ids;
  for (const auto& stored : store.readEvents(query)) ids.push_back(stored.event.id);
  return ids;
}

TEST_P(StoreTest, RememberIngressFlagsOnlyTheFirstCopyOfEachKey) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto transaction = store->begin();
    EXPECT_THAT(transaction->rememberIngress({key("b", "1"), key("a", "1"), key("b", "1"), key("a", "2")}),
                ElementsAre(true, true, false, true));
    transaction->commit();
  }
  auto transaction = store->begin();
  // Remembered before (committed) or earlier in the same call: duplicates.
  EXPECT_THAT(transaction->rememberIngress({key("a", "2"), key("c", "1"), key("a", "1"), key("c", "1")}),
              ElementsAre(false, true, false, false));
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM ingress_dedup"), 3);  // this transaction has not committed
}

TEST_P(StoreTest, RememberedKeysAreStoredWithSortableExpiry) {
  if (!onPostgresql()) GTEST_SKIP() << "SQLite keeps the expiry per generation (store_dedup_generations_test.cpp)";
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  transaction->rememberIngress({{"s", "1", "2026-11-23T10:00:00+01:00"}, {"s", "2", "2026-11-23T09:30:00.5Z"}});
  transaction->commit();
  EXPECT_THAT(queryTexts("SELECT expires_at FROM ingress_dedup ORDER BY event_id"),
              ElementsAre("2026-11-23T09:00:00.000000Z", "2026-11-23T09:30:00.500000Z"));
  EXPECT_EQ(store->forgetExpiredIngress("2026-11-23T09:15:00Z").forgotten, 1u);
  EXPECT_THAT(queryTexts("SELECT event_id FROM ingress_dedup"), ElementsAre("2"));
}

TEST_P(StoreTest, ExpiredKeysAreForgottenOldestFirstAtMostTheLimitACall) {
  if (!onPostgresql()) GTEST_SKIP() << "SQLite forgets a generation at a time (store_dedup_generations_test.cpp)";
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  transaction->rememberIngress({{"s", "1", "2026-11-23T09:00:00Z"},
                                {"s", "2", "2026-11-23T09:00:01Z"},
                                {"s", "3", "2026-11-23T09:00:02Z"},
                                {"s", "4", "2026-11-23T12:00:00Z"}});
  transaction->commit();
  const auto first = store->forgetExpiredIngress("2026-11-23T10:00:00Z", 2);
  EXPECT_EQ(first.forgotten, 2u);
  EXPECT_TRUE(first.more);
  EXPECT_THAT(queryTexts("SELECT event_id FROM ingress_dedup ORDER BY event_id"), ElementsAre("3", "4"));
  const auto second = store->forgetExpiredIngress("2026-11-23T10:00:00Z", 2);
  EXPECT_EQ(second.forgotten, 1u);
  EXPECT_FALSE(second.more) << "fewer than the limit: nothing more";
  EXPECT_THAT(queryTexts("SELECT event_id FROM ingress_dedup"), ElementsAre("4"));
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'ingress_dedup_expires'"), 1);
}

TEST_P(StoreTest, AKeyKeptUnderALongerTtlDoesNotHoldBackTheExpiredKeysAfterIt) {
  if (!onPostgresql()) GTEST_SKIP() << "on SQLite it holds back its generation (store_dedup_generations_test.cpp)";
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  transaction->rememberIngress({{"s", "long", "2026-11-24T09:00:00Z"}, {"s", "short", "2026-11-23T09:00:00Z"}});
  transaction->commit();
  EXPECT_EQ(store->forgetExpiredIngress("2026-11-23T10:00:00Z", 10).forgotten, 1u);
  EXPECT_THAT(queryTexts("SELECT event_id FROM ingress_dedup"), ElementsAre("long"));
}

TEST_P(StoreTest, ManyKeysInOneCallSpanSeveralStatements) {
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<IngressKey> keys;
  for (int i = 0; i < 1300; ++i) keys.push_back(key("s", "e-" + std::to_string(i % 1200)));
  auto transaction = store->begin();
  const auto remembered = transaction->rememberIngress(keys);
  transaction->commit();
  ASSERT_EQ(remembered.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(remembered[i], i < 1200) << "key " << i;
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM ingress_dedup"), 1200);
}

TEST_P(StoreTest, ForgottenKeysCanBeRememberedAgain) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  transaction->rememberIngress({key("s", "1"), key("s", "2")});
  transaction->forgetIngress({key("s", "1")});
  EXPECT_THAT(transaction->rememberIngress({key("s", "1"), key("s", "2")}), ElementsAre(true, false));
  transaction->commit();
}

TEST_P(StoreTest, RollingBackToASavepointDropsOnlyWhatCameAfterIt) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  transaction->appendEvent(sampleEvent("kept-1", "ccm.a", "s"));
  transaction->savepoint("first");
  transaction->appendEvent(sampleEvent("dropped-1", "ccm.a", "s"));
  transaction->rememberIngress({key("s", "dropped")});
  transaction->savepoint("nested");
  transaction->appendEvent(sampleEvent("dropped-2", "ccm.a", "s"));
  transaction->rollbackTo("first");
  transaction->release("first");
  transaction->savepoint("second");
  transaction->appendEvent(sampleEvent("kept-2", "ccm.a", "s"));
  transaction->release("second");
  transaction->commit();
  EXPECT_THAT(eventIds(*store), ElementsAre("kept-1", "kept-2"));
  EXPECT_EQ(store->lastSequence(), 2);  // no gap where the dropped events were
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM ingress_dedup"), 0);
}

TEST_P(StoreTest, ManyEventsInOneTransactionKeepAppendOrder) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  for (int i = 0; i < 1100; ++i) transaction->appendEvent(sampleEvent("e-" + std::to_string(i), "ccm.a", "s"));
  transaction->commit();
  EXPECT_EQ(store->lastSequence(), 1100);
  EventQuery query;
  query.after = 498;
  query.limit = 3;
  const auto events = store->readEvents(query);
  ASSERT_EQ(events.size(), 3u);
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence, static_cast<std::int64_t>(499 + i));
    EXPECT_EQ(events[i].event.id, "e-" + std::to_string(498 + i));
  }
}

// Two replicas (two stores on one database), two threads each, remembering
// overlapping keys in different orders at the same time: no transaction may
// fail (on PostgreSQL, a deadlock between two groups' key locks would), and
// each key is remembered by exactly one of them.
TEST_P(StoreTest, ReplicasRememberingOverlappingKeysNeitherDeadlockNorDoubleCount) {
  auto first = open();
  auto second = open();
  ASSERT_TRUE(first && second);
  constexpr int kKeys = 60;
  constexpr int kRounds = 20;
  std::atomic<int> remembered{0};
  std::vector<std::future<void>> writers;
  for (int t = 0; t < 4; ++t) {
    Store& store = t % 2 == 0 ? *first : *second;
    writers.push_back(std::async(std::launch::async, [&store, &remembered, t] {
      for (int round = 0; round < kRounds; ++round) {
        std::vector<IngressKey> keys;
        for (int k = 0; k < 20; ++k) {
          // Each thread walks the key space at its own stride and direction.
          const int index = (t % 2 == 0 ? round * 7 + k * (t + 1) : kKeys * 10 - round * 5 - k * (t + 2)) % kKeys;
          keys.push_back(key("s", "k-" + std::to_string(index)));
        }
        auto transaction = store.begin();
        const auto flags = transaction->rememberIngress(keys);
        for (std::size_t i = 0; i < keys.size(); ++i) {
          if (!flags[i]) continue;
          ++remembered;
          transaction->appendEvent(sampleEvent(keys[i].id, "ccm.a", "s"));
        }
        transaction->commit();
      }
    }));
  }
  for (auto& writer : writers) EXPECT_NO_THROW(writer.get());
  const auto rows = queryInteger("SELECT COUNT(*) FROM ingress_dedup");
  EXPECT_EQ(remembered.load(), rows);
  EXPECT_EQ(queryInteger("SELECT COUNT(DISTINCT event_id) FROM event_log"), rows);
  EXPECT_EQ(first->lastSequence(), rows);
}

TEST_P(StoreTest, SqliteLogIsCheckpointedOffTheCommitPath) {
  if (onPostgresql()) GTEST_SKIP() << "a SQLite write-ahead log matter";
  auto store = open();
  ASSERT_TRUE(store);
  const auto database_bytes = [&] { return std::filesystem::file_size(config_.sqlite.path); };
  const auto before = database_bytes();
  auto transaction = store->begin();
  for (int i = 0; i < 1000; ++i) transaction->appendEvent(sampleEvent("e-" + std::to_string(i), "ccm.a", "s"));
  transaction->commit();
  // ~150 pages: far below the connections' automatic checkpoint (10 000
  // pages), so only the store's own checkpointer moves them into the file.
  for (int attempt = 0; attempt < 100 && database_bytes() < before + 200 * 1024; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(database_bytes(), before + 200 * 1024);
}

}  // namespace
}  // namespace ccm::core::store_test
