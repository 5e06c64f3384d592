// SQLite's ingress deduplication keys in generations
// (store/sqlite_dedup_generations.hpp): when a key stops being a duplicate,
// how many go a call, and the move from the table of schema version 7.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

  std::unique_ptr<Store> store_;
};

TEST_P(DedupGenerationsTest, KeysAreOneWithoutRowidTableWithNoIndex) {
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'ingress_dedup'"), 1);
  EXPECT_THAT(queryTexts("SELECT sql FROM sqlite_master WHERE name = 'ingress_dedup'").at(0),
              HasSubstr("PRIMARY KEY (generation, source, event_id)) WITHOUT ROWID"));
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

TEST_P(DedupGenerationsTest, AKeyIsADuplicateUntilTheGenerationAfterItsOwnHasMovedOn) {
  EXPECT_THAT(remember({{"s", "a", "2026-11-23T09:00:10Z"}}), ElementsAre(true));
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T08:00:00Z"), 0u);
  EXPECT_EQ(generation(), 2) << "the previous generation was empty: a new one begins";
  EXPECT_THAT(generationExpiries(), ElementsAre("", "2026-11-23T09:00:10.999999Z"));

  EXPECT_THAT(remember({{"s", "a", "2026-11-23T10:00:00Z"}, {"s", "b", "2026-11-23T09:30:00Z"}}),
              ElementsAre(false, true))
      << "a key of the previous generation is a duplicate";
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T09:00:10.5Z"), 0u);
  EXPECT_EQ(generation(), 2) << "the previous generation has a key that has not expired";

  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T09:00:11Z"), 1u) << "generation 1 is left behind and deleted";
  EXPECT_EQ(generation(), 3);
  EXPECT_THAT(keptIds(), ElementsAre("b"));
  EXPECT_THAT(remember({{"s", "a", "2026-11-24T09:00:00Z"}, {"s", "b", "2026-11-24T09:00:00Z"}}),
              ElementsAre(true, false));
}

TEST_P(DedupGenerationsTest, AKeyWithALaterExpiryHoldsBackItsGeneration) {
  remember({{"s", "long", "2026-11-24T09:00:00Z"}, {"s", "short", "2026-11-23T09:00:00Z"}});
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T08:00:00Z"), 0u);
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T10:00:00Z"), 0u);
  EXPECT_EQ(generation(), 2);
  EXPECT_THAT(keptIds(), ElementsAre("long", "short"));
  EXPECT_THAT(remember({{"s", "short", "2026-11-24T10:00:00Z"}}), ElementsAre(false));
}

TEST_P(DedupGenerationsTest, KeysLeftBehindGoInKeyOrderAtMostTheLimitACall) {
  remember({{"s", "3", "2026-11-23T09:00:00Z"},
            {"s", "1", "2026-11-23T09:00:00Z"},
            {"r", "9", "2026-11-23T09:00:00Z"},
            {"s", "2", "2026-11-23T09:00:00Z"},
            {"s", "4", "2026-11-23T09:00:00Z"}});
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T08:00:00Z", 2), 0u);
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T10:00:00Z", 2), 2u);
  EXPECT_THAT(queryTexts("SELECT source || '/' || event_id FROM ingress_dedup ORDER BY 1"),
              ElementsAre("s/2", "s/3", "s/4"));
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T10:00:00Z", 2), 2u);
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T10:00:00Z", 2), 1u) << "fewer than the limit: nothing more";
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T10:00:00Z", 2), 0u);
  EXPECT_THAT(keptIds(), ElementsAre());
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T10:00:00Z", 0), 0u);
}

TEST_P(DedupGenerationsTest, WithNothingKeptTheGenerationsStayWhereTheyAre) {
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T08:00:00Z"), 0u);
  EXPECT_EQ(generation(), 1);
  remember({{"s", "a", "2026-11-23T09:00:00Z"}});
  store_->forgetExpiredIngress("2026-11-23T08:00:00Z");
  store_->forgetExpiredIngress("2026-11-23T10:00:00Z");
  EXPECT_EQ(generation(), 3);
  EXPECT_EQ(store_->forgetExpiredIngress("2026-11-23T11:00:00Z"), 0u);
  EXPECT_EQ(generation(), 3) << "an idle gateway does not count generations up";
}

TEST_P(DedupGenerationsTest, ForgettingAKeyOfThisTransactionLeavesTheOtherGenerationsAlone) {
  remember({{"s", "old", "2026-11-23T09:00:00Z"}});
  store_->forgetExpiredIngress("2026-11-23T08:00:00Z");
  auto transaction = store_->begin();
  EXPECT_THAT(transaction->rememberIngress({{"s", "new", "2026-11-23T09:00:00Z"}}), ElementsAre(true));
  transaction->forgetIngress({{"s", "new", "2026-11-23T09:00:00Z"}, {"s", "old", "2026-11-23T09:00:00Z"}});
  transaction->commit();
  EXPECT_THAT(keptIds(), ElementsAre("old"));
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
  EXPECT_THAT(remember({{"s", "2", "2026-11-24T09:00:00Z"}, {"s", "3", "2026-11-24T09:00:00Z"}}),
              ElementsAre(false, true));
  EXPECT_THAT(keptIds(), ElementsAre("1", "2", "3"));
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
