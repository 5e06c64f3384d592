#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

TEST_P(StoreTest, TransactionReadsItsOwnWrites) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  transaction->saveWorker(sampleWorker("worker-1"));
  EXPECT_TRUE(transaction->findWorker("worker-1"));
}

TEST_P(StoreTest, DestroyingWithoutCommitLeavesNothing) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto transaction = store->begin();
    transaction->saveDefinition(sampleDefinition("def-1"));
    transaction->saveWorker(sampleWorker("worker-1"));
    transaction->saveSession(sampleSession("session-1"));
    transaction->saveUserSession(sampleUserSession("user-1"));
    transaction->appendEvent(sampleEvent("e-1", "ccm.a", "s"));
  }
  auto transaction = store->begin();
  EXPECT_FALSE(transaction->findDefinition("def-1"));
  EXPECT_FALSE(transaction->findWorker("worker-1"));
  EXPECT_FALSE(transaction->findSession("session-1"));
  EXPECT_FALSE(transaction->findUserSession("user-1"));
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM port_allocations"), 0);
  EXPECT_TRUE(store->readEvents({}).empty());
  EXPECT_EQ(store->lastSequence(), 0);
}

TEST_P(StoreTest, UsingATransactionAfterCommitIsAStoreError) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  transaction->commit();
  EXPECT_THROW(transaction->findWorker("worker-1"), StoreError);
  EXPECT_THROW(transaction->commit(), StoreError);
}

TEST_P(StoreTest, AFailedStatementStillRollsBackCleanly) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto transaction = store->begin();
    transaction->saveWorker(sampleWorker("worker-1"));
    // A version of a definition that does not exist breaks the foreign key.
    EXPECT_THROW(transaction->addDefinitionVersion(sampleDefinitionVersion("def-unknown", 1)), StoreError);
  }
  // Every pooled connection came back usable and outside any transaction.
  for (int i = 0; i < 10; ++i) {
    auto transaction = store->begin();
    EXPECT_FALSE(transaction->findWorker("worker-1"));
    transaction->commit();
  }
}

// Every thread increments one worker's capacity in its own read-modify-write
// transactions and logs an event with each; nothing may be lost or fail.
TEST_P(StoreTest, ConcurrentWritersAllCommit) {
  auto store = open();
  ASSERT_TRUE(store);
  auto worker = sampleWorker("worker-1");
  worker.capacity = 0;
  {
    auto transaction = store->begin();
    transaction->saveWorker(worker);
    transaction->commit();
  }
  constexpr int kThreads = 8;  // more than the PostgreSQL test pool holds, so some wait for a connection
  constexpr int kIncrements = 20;
  std::vector<std::future<void>> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.push_back(std::async(std::launch::async, [&store, t] {
      for (int i = 0; i < kIncrements; ++i) {
        auto transaction = store->begin();
        auto current = *transaction->findWorker("worker-1", true);
        ++current.capacity;
        transaction->saveWorker(current);
        transaction->appendEvent(sampleEvent("e-" + std::to_string(t) + "-" + std::to_string(i), "ccm.a", "s"));
        transaction->commit();
      }
    }));
  }
  for (auto& writer : writers) EXPECT_NO_THROW(writer.get());

  EXPECT_EQ(store->begin()->findWorker("worker-1")->capacity, kThreads * kIncrements);
  EventQuery query;
  query.limit = 1000;
  const auto events = store->readEvents(query);
  ASSERT_EQ(events.size(), static_cast<std::size_t>(kThreads * kIncrements));
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].sequence, static_cast<std::int64_t>(i + 1));
}

TEST_P(StoreTest, RowLockSerialisesReadModifyWriteOnPostgresql) {
  if (!onPostgresql()) {
    GTEST_SKIP() << "SQLite serialises whole write transactions at BEGIN IMMEDIATE (ConcurrentWritersAllCommit)";
  }
  auto store = open();
  ASSERT_TRUE(store);
  auto worker = sampleWorker("worker-1");
  worker.capacity = 10;
  {
    auto transaction = store->begin();
    transaction->saveWorker(worker);
    transaction->commit();
  }

  auto first = store->begin();
  auto held = *first->findWorker("worker-1", true);
  auto second = std::async(std::launch::async, [&store] {
    auto transaction = store->begin();
    auto current = *transaction->findWorker("worker-1", true);
    current.capacity += 1;
    transaction->saveWorker(current);
    transaction->commit();
    return current.capacity;
  });

  // Wait until the second transaction is blocked on the row lock.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool second_waits = false;
  while (!(second_waits = queryInteger("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                       " AND datname = current_database()") > 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!second_waits) {
    first.reset();  // lets the second transaction finish before the test ends
    FAIL() << "the second transaction never waited for the row lock";
  }
  held.capacity += 100;
  first->saveWorker(held);
  first->commit();

  EXPECT_EQ(second.get(), 111) << "the second transaction did not see the first one's commit";
  EXPECT_EQ(store->begin()->findWorker("worker-1")->capacity, 111);
}

}  // namespace
}  // namespace ccm::core::store_test
