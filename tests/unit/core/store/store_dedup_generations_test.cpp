// SQLite's ingress deduplication keys in generations
// (store/sqlite_dedup_generations.hpp): when a key stops being a duplicate,
// how a sweep goes through them, and the move from the table of schema
// version 7.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "delivery/event_log_retention.hpp"
#include "observability/metrics_registry.hpp"
#include "store/sqlite_dedup_generations.hpp"
#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class DedupGenerationsTest : public StoreTest {
protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_ = open();
    ASSERT_TRUE(store_);
  }

  // One committed rememberIngress call; its flags.
  std::vector<bool> remember(const std::vector<IngressKey>& keys) {
    auto transaction = store_->begin();
    auto flags = transaction->rememberIngress(keys);
    transaction->commit();
    return flags;
  }

  std::int64_t generation() { return queryInteger("SELECT generation FROM ingress_dedup_generations"); }
  std::vector<std::string> generationExpiries() {
    return {queryTexts("SELECT current_expires_by FROM ingress_dedup_generations").at(0),
            queryTexts("SELECT previous_expires_by FROM ingress_dedup_generations").at(0)};
  }
  std::vector<std::string> keptIds() { return queryTexts("SELECT event_id FROM ingress_dedup ORDER BY event_id"); }
  std::size_t forget(const std::string& now, std::size_t limit = 10000) {
    return store_->forgetExpiredIngress(now, limit).forgotten;
  }

  std::unique_ptr<Store> store_;
};

TEST_P(DedupGenerationsTest, KeysAreOneWithoutRowidTableWithNoIndex) {
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'ingress_dedup'"), 1);
  EXPECT_THAT(queryTexts("SELECT sql FROM sqlite_master WHERE name = 'ingress_dedup'").at(0),
              HasSubstr("PRIMARY KEY (source, event_id)) WITHOUT ROWID"));
}

TEST_P(DedupGenerationsTest, TheCurrentGenerationRecordsItsLatestExpiryToTheEndOfThatSecond) {
  remember({{"s", "1", "2026-11-23T10:00:10+01:00"}, {"s", "2", "2026-11-23T09:30:00.5Z"}});
  EXPECT_EQ(generation(), 1);
  EXPECT_THAT(generationExpiries(), ElementsAre("2026-11-23T09:30:00.999999Z", ""));
  remember({{"s", "3", "2026-11-23T09:10:00Z"}});
  EXPECT_THAT(generationExpiries(), ElementsAre("2026-11-23T09:30:00.999999Z", "")) << "an earlier expiry";
  remember({{"s", "1", "2026-11-23T11:00:00Z"}});
  EXPECT_THAT(generationExpiries(), ElementsAre("2026-11-23T09:30:00.999999Z", "")) << "a duplicate's expiry";
}

TEST_P(DedupGenerationsTest, AKeyIsADuplicateUntilEveryKeyOfItsGenerationHasExpired) {
  EXPECT_THAT(remember({{"s", "a", "2026-11-23T09:00:10Z"}}), ElementsAre(true));
  EXPECT_EQ(forget("2026-11-23T08:00:00Z"), 0u);
  EXPECT_EQ(generation(), 2) << "the previous generation was empty: a new one begins";
  EXPECT_THAT(generationExpiries(), ElementsAre("", "2026-11-23T09:00:10.999999Z"));

  EXPECT_THAT(remember({{"s", "a", "2026-11-23T10:00:00Z"}, {"s", "b", "2026-11-23T09:30:00Z"}}),
              ElementsAre(false, true))
      << "a key of the previous generation is a duplicate";
  EXPECT_EQ(forget("2026-11-23T09:00:10.5Z"), 0u);
  EXPECT_EQ(generation(), 2) << "the previous generation has a key that has not expired";

  EXPECT_EQ(forget("2026-11-23T09:00:11Z"), 1u) << "generation 1 is left behind and swept";
  EXPECT_EQ(generation(), 3);
  EXPECT_THAT(keptIds(), ElementsAre("b"));
  EXPECT_THAT(remember({{"s", "a", "2026-11-24T09:00:00Z"}, {"s", "b", "2026-11-24T09:00:00Z"}}),
              ElementsAre(true, false));
}

TEST_P(DedupGenerationsTest, AKeyWithALaterExpiryHoldsBackItsGeneration) {
  remember({{"s", "long", "2026-11-24T09:00:00Z"}, {"s", "short", "2026-11-23T09:00:00Z"}});
  EXPECT_EQ(forget("2026-11-23T08:00:00Z"), 0u);
  EXPECT_EQ(forget("2026-11-23T10:00:00Z"), 0u);
  EXPECT_EQ(generation(), 2);
  EXPECT_THAT(keptIds(), ElementsAre("long", "short"));
  EXPECT_THAT(remember({{"s", "short", "2026-11-24T10:00:00Z"}}), ElementsAre(false));
}

TEST_P(DedupGenerationsTest, ASweepLooksAtMostTheLimitOfKeysACallInKeyOrder) {
  remember({{"s", "3", "2026-11-23T09:00:00Z"},
            {"s", "1", "2026-11-23T09:00:00Z"},
            {"r", "9", "2026-11-23T09:00:00Z"},
            {"s", "2", "2026-11-23T09:00:00Z"},
            {"s", "4", "2026-11-23T09:00:00Z"}});
  EXPECT_EQ(forget("2026-11-23T08:00:00Z", 2), 0u);
  const auto first = store_->forgetExpiredIngress("2026-11-23T10:00:00Z", 2);
  EXPECT_EQ(first.forgotten, 2u);
  EXPECT_TRUE(first.more);
  EXPECT_THAT(queryTexts("SELECT source || '/' || event_id FROM ingress_dedup ORDER BY 1"),
              ElementsAre("s/2", "s/3", "s/4"));
  EXPECT_EQ(forget("2026-11-23T10:00:00Z", 2), 2u);
  const auto last = store_->forgetExpiredIngress("2026-11-23T10:00:00Z", 2);
  EXPECT_EQ(last.forgotten, 1u);
  EXPECT_FALSE(last.more) << "the sweep reached the end";
  const auto idle = store_->forgetExpiredIngress("2026-11-23T10:00:00Z", 2);
  EXPECT_EQ(idle.forgotten, 0u);
  EXPECT_FALSE(idle.more);
  EXPECT_THAT(keptIds(), ElementsAre());
}

TEST_P(DedupGenerationsTest, TheSweepGoesOnPastKeysStillKept) {
  remember({{"s", "x", "2026-11-23T09:00:00Z"}});
  forget("2026-11-23T08:00:00Z");
  remember({{"s", "y1", "2026-11-23T12:00:00Z"}, {"s", "y2", "2026-11-23T12:00:00Z"}});
  std::vector<std::pair<std::size_t, bool>> passes;
  for (int i = 0; i < 4; ++i) {
    const auto pass = store_->forgetExpiredIngress("2026-11-23T10:00:00Z", 1);
    passes.emplace_back(pass.forgotten, pass.more);
  }
  EXPECT_THAT(passes, ElementsAre(std::pair{1u, true}, std::pair{0u, true}, std::pair{0u, true},
                                  std::pair{0u, false}));
  EXPECT_THAT(keptIds(), ElementsAre("y1", "y2"));
  EXPECT_THAT(remember({{"s", "y1", "2026-11-24T09:00:00Z"}}), ElementsAre(false));
}

TEST_P(DedupGenerationsTest, AKeyLeftBehindButNotYetSweptIsNewAndSurvivesTheSweep) {
  remember({{"s", "k", "2026-11-23T09:00:00Z"}, {"s", "gone", "2026-11-23T09:00:00Z"}});
  forget("2026-11-23T08:00:00Z");
  EXPECT_EQ(forget("2026-11-23T10:00:00Z", 0), 0u) << "moves the generations on, sweeps nothing";
  EXPECT_EQ(generation(), 3);
  EXPECT_THAT(keptIds(), ElementsAre("gone", "k"));
  EXPECT_THAT(remember({{"s", "k", "2026-11-24T09:00:00Z"}, {"s", "k", "2026-11-24T09:00:00Z"}}),
              ElementsAre(true, false));
  EXPECT_EQ(forget("2026-11-23T10:00:00Z"), 1u);
  EXPECT_THAT(keptIds(), ElementsAre("k"));
  EXPECT_THAT(remember({{"s", "k", "2026-11-24T09:00:00Z"}}), ElementsAre(false));
}

TEST_P(DedupGenerationsTest, KeysOfTwoGenerationsLeftBehindGoInOneSweep) {
  remember({{"s", "g1", "2026-11-23T09:00:00Z"}});
  forget("2026-11-23T08:00:00Z", 0);  // generation 2
  remember({{"s", "g2", "2026-11-23T09:30:00Z"}});
  forget("2026-11-23T09:10:00Z", 0);  // generation 3; not swept
  remember({{"s", "g3", "2026-11-23T12:00:00Z"}});
  EXPECT_EQ(forget("2026-11-23T09:40:00Z"), 2u);
  EXPECT_EQ(generation(), 4);
  EXPECT_THAT(keptIds(), ElementsAre("g3"));
}

TEST_P(DedupGenerationsTest, ASweepIsLateOnlyOnceAnotherGenerationIsLeftBehindBeforeItEnds) {
  remember({{"s", "a", "2026-11-23T09:00:00Z"}, {"s", "b", "2026-11-23T09:00:00Z"}, {"s", "c", "2026-11-23T09:00:00Z"}});
  forget("2026-11-23T08:00:00Z");
  remember({{"s", "d", "2026-11-23T09:30:00Z"}});
  const auto started = store_->forgetExpiredIngress("2026-11-23T09:10:00Z", 1);
  EXPECT_EQ(started.forgotten, 1u);
  EXPECT_TRUE(started.more);
  EXPECT_FALSE(started.late) << "the sweep covers every generation left behind";
  const auto overtaken = store_->forgetExpiredIngress("2026-11-23T09:40:00Z", 1);
  EXPECT_EQ(generation(), 4);
  EXPECT_EQ(overtaken.forgotten, 1u);
  EXPECT_TRUE(overtaken.more);
  EXPECT_TRUE(overtaken.late) << "generation 2 was left behind while generation 1 was being swept";
  std::size_t passes = 0;
  while (store_->forgetExpiredIngress("2026-11-23T09:40:00Z", 1).more && passes < 10) ++passes;
  EXPECT_THAT(keptIds(), ElementsAre());
}

// A sweep takes its time: the retention task goes on with it pass by pass at
// its usual pace and does not report itself behind.
TEST_P(DedupGenerationsTest, TheRetentionTaskIsNotBehindWhileASweepIsUnderWay) {
  std::vector<IngressKey> keys;
  constexpr int kKeys = 1000;
  for (int i = 0; i < kKeys; ++i) keys.push_back({"s", "k" + std::to_string(i), "2020-01-01T00:00:00Z"});
  remember(keys);
  MetricsRegistry metrics;
  // A budget of nothing: one batch (a few hundred keys at first) a pass.
  EventLogRetention retention(
      *store_, metrics, config_.retention, [] { return std::vector<std::string>{}; }, {.loop_budget = {}});
  retention.runOnce();  // the keys' generation becomes the previous one
  retention.runOnce();  // and is left behind: the sweep begins
  const auto kept = [&] { return queryInteger("SELECT COUNT(*) FROM ingress_dedup"); };
  EXPECT_GT(kept(), 0);
  EXPECT_LT(kept(), kKeys);
  EXPECT_FALSE(retention.behind());
  EXPECT_THAT(metrics.renderPrometheus(), HasSubstr("ccm_retention_behind 0"));
  for (int pass = 0; pass < 20 && kept() > 0; ++pass) {
    retention.runOnce();
    EXPECT_FALSE(retention.behind());
  }
  EXPECT_EQ(kept(), 0);
}

TEST_P(DedupGenerationsTest, WithNothingKeptTheGenerationsStayWhereTheyAre) {
  EXPECT_EQ(forget("2026-11-23T08:00:00Z"), 0u);
  EXPECT_EQ(generation(), 1);
  remember({{"s", "a", "2026-11-23T09:00:00Z"}});
  forget("2026-11-23T08:00:00Z");
  forget("2026-11-23T10:00:00Z");
  EXPECT_EQ(generation(), 3);
  EXPECT_EQ(forget("2026-11-23T11:00:00Z"), 0u);
  EXPECT_EQ(generation(), 3) << "an idle gateway does not count generations up";
}

TEST_P(DedupGenerationsTest, ForgettingAKeyOfThisTransactionLeavesTheOtherGenerationsAlone) {
  remember({{"s", "old", "2026-11-23T09:00:00Z"}});
  forget("2026-11-23T08:00:00Z");
  auto transaction = store_->begin();
  EXPECT_THAT(transaction->rememberIngress({{"s", "new", "2026-11-23T09:00:00Z"}}), ElementsAre(true));
  transaction->forgetIngress({{"s", "new", "2026-11-23T09:00:00Z"}, {"s", "old", "2026-11-23T09:00:00Z"}});
  transaction->commit();
  EXPECT_THAT(keptIds(), ElementsAre("old"));
}

// The ingress group commit's connection keeps its statements prepared; a
// generation moved on by the retention task's connection is seen there.
TEST_P(DedupGenerationsTest, TheGroupCommitSeesGenerationsMovedOnElsewhere) {
  const auto remember_without_sync = [&](const std::vector<IngressKey>& keys) {
    auto transaction = store_->beginWithoutSync();
    auto flags = transaction->rememberIngress(keys);
    transaction->commit();
    store_->syncCommits();
    return flags;
  };
  EXPECT_THAT(remember_without_sync({{"s", "a", "2026-11-23T09:00:00Z"}}), ElementsAre(true));
  forget("2026-11-23T08:00:00Z");
  EXPECT_THAT(remember_without_sync({{"s", "a", "2026-11-23T09:00:00Z"}, {"s", "b", "2026-11-23T09:30:00Z"}}),
              ElementsAre(false, true));
  EXPECT_EQ(queryInteger("SELECT generation FROM ingress_dedup WHERE event_id = 'b'"), 2);
  EXPECT_EQ(forget("2026-11-23T09:10:00Z"), 1u);
  EXPECT_THAT(remember_without_sync({{"s", "a", "2026-11-24T09:00:00Z"}, {"s", "b", "2026-11-24T09:00:00Z"}}),
              ElementsAre(true, false));
  EXPECT_EQ(queryInteger("SELECT generation FROM ingress_dedup WHERE event_id = 'a'"), 3);
}

TEST_P(DedupGenerationsTest, KeysOfSchemaVersionSevenMoveIntoTheFirstGeneration) {
  store_.reset();
  executeSql(
      "DROP TABLE ingress_dedup; DROP TABLE ingress_dedup_generations;"
      " CREATE TABLE ingress_dedup (source TEXT NOT NULL, event_id TEXT NOT NULL, expires_at TEXT NOT NULL,"
      " PRIMARY KEY (source, event_id));"
      " INSERT INTO ingress_dedup VALUES ('s', '1', '2026-11-23T09:30:00.000000Z'),"
      " ('s', '2', '2026-11-23T09:00:00.000000Z');"
      " DELETE FROM schema_migrations WHERE version = 8");
  store_ = open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(store_->schemaVersion(), 8);
  EXPECT_EQ(generation(), 1);
  EXPECT_THAT(generationExpiries(), ElementsAre("2026-11-23T09:30:00.000000Z", ""));
  EXPECT_THAT(keptIds(), ElementsAre("1", "2"));
  // Kept until the latest of them has expired.
  forget("2026-11-23T09:15:00Z");
  forget("2026-11-23T09:15:00Z");
  EXPECT_THAT(remember({{"s", "1", "2026-11-24T09:00:00Z"}, {"s", "2", "2026-11-24T09:00:00Z"}}),
              ElementsAre(false, false));
  EXPECT_EQ(forget("2026-11-23T09:31:00Z"), 2u);
  EXPECT_THAT(remember({{"s", "1", "2026-11-24T09:00:00Z"}}), ElementsAre(true));
}

// PostgreSQL keeps one expiry per key (store_ingress_test.cpp).
INSTANTIATE_TEST_SUITE_P(Sqlite, DedupGenerationsTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

TEST(GenerationExpiresByTest, IsTheEndOfTheSecondOfASortableTime) {
  EXPECT_EQ(generationExpiresBy("2026-11-23T09:00:10.250000Z"), "2026-11-23T09:00:10.999999Z");
  EXPECT_EQ(generationExpiresBy("2026-11-23T09:00:10.999999Z"), "2026-11-23T09:00:10.999999Z");
  EXPECT_EQ(generationExpiresBy("not a time"), "not a time");
}

}  // namespace
}  // namespace ccm::core::store_test
