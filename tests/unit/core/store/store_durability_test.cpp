// Commits that skip the fsync (Store::beginWithoutSync) and what the event
// log shows of them before and after syncCommits(); DurableSequence itself.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <limits>

#include "domain/uuid.hpp"
#include "store/durable_sequence.hpp"
#include "store/open_store.hpp"
#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

std::vector<std::string> eventIds(Store& store) {
  std::vector<std::string> ids;
  for (const auto& stored : store.readEvents({0, "", "", 1000})) ids.push_back(stored.event.id);
  return ids;
}

void commitWithoutSync(Store& store, const std::vector<std::string>& ids) {
  auto transaction = store.beginWithoutSync();
  for (const auto& id : ids) transaction->appendEvent(sampleEvent(id, "ccm.a", "s"));
  transaction->commit();
}

TEST_P(StoreTest, ACommitWithoutSyncReachesTheLogsReadersOnlyOnceSynced) {
  auto store = open();
  ASSERT_TRUE(store);
  commitWithoutSync(*store, {"a", "b"});
  if (onPostgresql()) {
    // Every PostgreSQL commit waits for its own flush.
    EXPECT_EQ(eventIds(*store), (std::vector<std::string>{"a", "b"}));
    return;
  }
  // Committed: the next transaction numbers its events after them.
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM event_log"), 2);
  EXPECT_TRUE(eventIds(*store).empty());
  EXPECT_EQ(store->lastSequence(), 0);
  EXPECT_FALSE(store->readEvent(1));
  store->syncCommits();
  EXPECT_EQ(eventIds(*store), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(store->lastSequence(), 2);
}

TEST_P(StoreTest, ASyncedCommitMakesTheUnsyncedOnesBeforeItReadable) {
  auto store = open();
  ASSERT_TRUE(store);
  commitWithoutSync(*store, {"unsynced"});
  auto transaction = store->begin();
  transaction->appendEvent(sampleEvent("synced", "ccm.a", "s"));
  transaction->commit();
  // Its fsync covered the log up to its own commit.
  EXPECT_EQ(eventIds(*store), (std::vector<std::string>{"unsynced", "synced"}));
  EXPECT_EQ(store->lastSequence(), 2);
}

TEST_P(StoreTest, CommitsLeftUnsyncedByAKilledProcessAreReadAfterTheStoreOpensAgain) {
  open();  // the schema, before the child
  // A child process commits without a sync and is killed: no clean close
  // checkpoints the log, so the commits are still only in it.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = openStore(config_);
    if (!store) ::_exit(2);
    commitWithoutSync(*store.value(), {"a", "b", "c"});
    ::raise(SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exit status " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(eventIds(*store), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(store->lastSequence(), 3);
}

TEST_P(StoreTest, RetentionLeavesEventsNotYetDurable) {
  if (onPostgresql()) GTEST_SKIP() << "every PostgreSQL commit is durable";
  auto store = open();
  ASSERT_TRUE(store);
  commitWithoutSync(*store, {"a", "b"});
  RetentionLimits everything_old;
  everything_old.recorded_before = "9999-01-01T00:00:00Z";
  everything_old.force_recorded_before = "9999-01-01T00:00:00Z";
  EXPECT_EQ(store->pruneEventLog(everything_old, {}).deleted, 0);
  EXPECT_EQ(store->firstSequence(), 1);
  store->syncCommits();
  EXPECT_EQ(store->pruneEventLog(everything_old, {}).deleted, 2);
  EXPECT_EQ(store->firstSequence(), 3);
}

TEST_P(StoreTest, WithSynchronousNormalACommitWithoutSyncIsReadableAtOnce) {
  if (onPostgresql()) GTEST_SKIP() << "a SQLite setting";
  config_.sqlite.synchronous = SqliteSynchronous::Normal;
  auto store = open();
  ASSERT_TRUE(store);
  commitWithoutSync(*store, {"a"});
  EXPECT_EQ(eventIds(*store), (std::vector<std::string>{"a"}));
}

TEST_P(StoreTest, ARolledBackTransactionWithoutSyncLeavesTheLogAsItWas) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto transaction = store->beginWithoutSync();
    transaction->appendEvent(sampleEvent("dropped", "ccm.a", "s"));
  }
  commitWithoutSync(*store, {"kept"});
  store->syncCommits();
  const auto events = store->readEvents({0, "", "", 10});
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events.front().event.id, "kept");
  EXPECT_EQ(events.front().sequence, 1);
}

// Two stores on one database in one process (tests, tools): each reads what
// the other committed, synced or not, once it is durable.
TEST_P(StoreTest, StoresOnOneDatabaseShareTheDurableMark) {
  auto first = open();
  auto second = open();
  ASSERT_TRUE(first && second);
  auto transaction = second->begin();
  transaction->appendEvent(sampleEvent("synced-by-second", "ccm.a", "s"));
  transaction->commit();
  EXPECT_EQ(first->lastSequence(), 1);
  EXPECT_EQ(eventIds(*first), (std::vector<std::string>{"synced-by-second"}));
  commitWithoutSync(*second, {"unsynced-by-second"});
  if (!onPostgresql()) {
    EXPECT_EQ(first->lastSequence(), 1);
  }
  first->syncCommits();  // covers the other store's commit too: one log file
  EXPECT_EQ(first->lastSequence(), 2);
  EXPECT_EQ(eventIds(*first), (std::vector<std::string>{"synced-by-second", "unsynced-by-second"}));
}

class DurableSequenceTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ccm-durable-" + std::to_string(::getpid()) + "-" + newUuid());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "db-wal") << "frames";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(DurableSequenceTest, OneMarkPerLogFileWhileItIsHeld) {
  auto first = DurableSequence::of(dir_ / "db-wal");
  EXPECT_EQ(DurableSequence::of(dir_ / "." / "db-wal"), first);
  EXPECT_NE(DurableSequence::of(dir_ / "other-wal"), first);
  EXPECT_NE(DurableSequence::of({}), DurableSequence::of({}));
  first->committed(4, true);
  EXPECT_EQ(DurableSequence::of(dir_ / "db-wal")->durable(), 4);
  first.reset();  // the last holder: the next store starts a mark of its own
  EXPECT_EQ(DurableSequence::of(dir_ / "db-wal")->durable(), 0);
}

TEST_F(DurableSequenceTest, WithoutALogFileEverythingIsDurable) {
  DurableSequence durable{std::filesystem::path{}};
  EXPECT_FALSE(durable.limited());
  durable.committed(5, false);
  EXPECT_EQ(durable.durable(), std::numeric_limits<std::int64_t>::max());
}

TEST_F(DurableSequenceTest, UnsyncedCommitsCountOnceSyncedAndASyncedCommitCoversTheOnesBefore) {
  DurableSequence durable(dir_ / "db-wal");
  durable.open(3);
  EXPECT_EQ(durable.durable(), 3);
  durable.committed(5, false);
  durable.committed(8, false);
  EXPECT_EQ(durable.durable(), 3);
  durable.sync();
  EXPECT_EQ(durable.durable(), 8);
  durable.committed(9, false);
  durable.committed(12, true);
  EXPECT_EQ(durable.durable(), 12);
  durable.committed(11, true);  // reported late: never moves back
  EXPECT_EQ(durable.durable(), 12);
}

TEST_F(DurableSequenceTest, OneSyncCoversEveryCommitBeforeItAndNoneIsMadeWhenNothingWaits) {
  DurableSequence durable(dir_ / "db-wal");
  durable.open(0);
  const auto at_open = durable.syncs();
  EXPECT_EQ(at_open, 1U);
  durable.sync();
  EXPECT_EQ(durable.syncs(), at_open);
  durable.committed(1, false);
  durable.committed(2, false);
  durable.sync();
  durable.sync();
  EXPECT_EQ(durable.syncs(), at_open + 1);
  EXPECT_EQ(durable.durable(), 2);
}

TEST_F(DurableSequenceTest, AFailedSyncStopsTheMarkForGood) {
  // /dev/null has no fsync: fdatasync fails (EINVAL).
  DurableSequence durable("/dev/null");
  durable.committed(1, false);
  std::string first_error;
  try {
    durable.sync();
  } catch (const StoreError& e) {
    first_error = e.what();
  }
  EXPECT_NE(first_error.find("cannot sync the event log to disk: fdatasync /dev/null"), std::string::npos)
      << first_error;
  EXPECT_NE(first_error.find("restart the gateway"), std::string::npos) << first_error;
  // A commit that synced itself proves nothing after that, and readers stop.
  durable.committed(2, true);
  EXPECT_THROW(durable.durable(), StoreError);
  try {
    durable.sync();
    ADD_FAILURE() << "the second sync did not throw";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.what(), first_error);
  }
}

TEST_F(DurableSequenceTest, AMissingLogFileIsAnErrorNamingIt) {
  DurableSequence durable(dir_ / "absent-wal");
  durable.committed(1, false);
  try {
    durable.sync();
    FAIL() << "sync() did not throw";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("absent-wal"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot open the event log's write-ahead log"), std::string::npos) << e.what();
  }
  EXPECT_EQ(durable.durable(), 0);
}

}  // namespace
}  // namespace ccm::core::store_test
