// Paused sinks in the store: one row per sink, decided in one statement.
#include <gtest/gtest.h>

#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

auto pauseFields(const SinkPause& p) { return std::tie(p.sink, p.paused_at, p.reason, p.automatic); }

TEST_P(StoreTest, ASinkIsPausedOnceAndResumedOnce) {
  auto store = open();
  ASSERT_TRUE(store);
  const SinkPause pause{"events-out", "2026-12-03T10:00:00Z", "receiver maintenance", false};
  {
    auto tx = store->begin();
    EXPECT_TRUE(tx->insertSinkPause(pause));
    // A second pause leaves the first in force.
    EXPECT_FALSE(tx->insertSinkPause({"events-out", "2026-12-03T11:00:00Z", "again", true}));
    tx->commit();
  }
  ASSERT_TRUE(store->sinkPause("events-out"));
  EXPECT_EQ(pauseFields(*store->sinkPause("events-out")), pauseFields(pause));
  EXPECT_FALSE(store->sinkPause("other"));

  auto tx = store->begin();
  const auto ended = tx->deleteSinkPause("events-out");
  ASSERT_TRUE(ended);
  EXPECT_EQ(pauseFields(*ended), pauseFields(pause));
  EXPECT_FALSE(tx->deleteSinkPause("events-out"));
  EXPECT_FALSE(tx->findSinkPause("events-out"));
  tx->commit();
  EXPECT_FALSE(store->sinkPause("events-out"));
}

TEST_P(StoreTest, APauseOutlivesTheStoreAndARolledBackOneLeavesNothing) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    auto tx = store->begin();
    tx->insertSinkPause({"kept", "2026-12-03T10:00:00Z", "r", true});
    tx->commit();
    auto rolled_back = store->begin();
    rolled_back->insertSinkPause({"dropped", "2026-12-03T10:00:00Z", "r", false});
  }
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->sinkPause("kept"));
  EXPECT_TRUE(store->sinkPause("kept")->automatic);
  EXPECT_FALSE(store->sinkPause("dropped"));
}

}  // namespace
}  // namespace ccm::core::store_test
