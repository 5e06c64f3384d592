#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "store/migrations.hpp"
#include "store/open_store.hpp"
#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

TEST_P(StoreTest, OpeningAppliesEveryMigration) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->schemaVersion(), latestSchemaVersion());
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM schema_migrations"), latestSchemaVersion());
  EXPECT_EQ(store->lastSequence(), 0);
}

TEST_P(StoreTest, ReopeningAppliesNothingTwice) {
  ASSERT_TRUE(open());
  const auto applied = queryTexts("SELECT applied_at FROM schema_migrations ORDER BY version");

  auto reopened = open();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->schemaVersion(), latestSchemaVersion());
  EXPECT_EQ(queryTexts("SELECT applied_at FROM schema_migrations ORDER BY version"), applied);
}

TEST_P(StoreTest, RefusesDatabaseNewerThanThisBinary) {
  ASSERT_TRUE(open());
  const int newer = latestSchemaVersion() + 1;
  executeSql("INSERT INTO schema_migrations (version, applied_at) VALUES (" + std::to_string(newer) +
             ", '2030-01-01T00:00:00Z')");

  auto refused = openStore(config_);
  ASSERT_FALSE(refused);
  const auto& message = refused.error().message;
  EXPECT_NE(message.find("schema version " + std::to_string(newer)), std::string::npos) << message;
  EXPECT_NE(message.find("newer than this ccm-gateway"), std::string::npos) << message;
}

TEST_P(StoreTest, ReplicasOpeningTogetherMigrateOnce) {
  std::vector<std::future<sdk::Result<std::unique_ptr<Store>>>> openings;
  for (int i = 0; i < 4; ++i) openings.push_back(std::async(std::launch::async, [this] { return openStore(config_); }));
  for (auto& opening : openings) {
    auto store = opening.get();
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(store.value()->schemaVersion(), latestSchemaVersion());
  }
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM schema_migrations"), latestSchemaVersion());
}

TEST_P(StoreTest, CommittedRowsSurviveReopening) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    auto transaction = store->begin();
    transaction->saveWorker(sampleWorker("worker-1"));
    transaction->appendEvent(sampleEvent("e-1", "ccm.worker.running", "worker-1"));
    transaction->commit();
  }
  auto reopened = open();
  ASSERT_TRUE(reopened);
  EXPECT_TRUE(reopened->begin()->findWorker("worker-1"));
  EXPECT_EQ(reopened->lastSequence(), 1);
}

TEST(StoreOpen, CreatesTheSqliteDirectoryAndUsesWal) {
  std::string pattern = (std::filesystem::temp_directory_path() / "ccm-store-open-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::filesystem::path dir = pattern;
  StoreConfig config;
  config.sqlite.path = dir / "nested" / "deeper" / "store.db";

  auto store = openStore(config);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_TRUE(std::filesystem::exists(config.sqlite.path));
  EXPECT_TRUE(std::filesystem::exists(config.sqlite.path.string() + "-wal"));
  store.value().reset();
  std::filesystem::remove_all(dir);
}

TEST(StoreOpen, PostgresqlWithoutConnectionStringIsRefused) {
  StoreConfig config;
  config.driver = StoreDriver::Postgresql;

  auto store = openStore(config);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().where, "/store/postgresql/connection");
}

TEST(StoreOpen, UnreachablePostgresqlIsAnErrorNotACrash) {
  StoreConfig config;
  config.driver = StoreDriver::Postgresql;
  // Port 1 on loopback: refused at once.
  config.postgresql.connection = "host=127.0.0.1 port=1 dbname=none connect_timeout=2";

  auto store = openStore(config);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().where, "/store/postgresql/connection");
  EXPECT_NE(store.error().message.find("postgresql"), std::string::npos) << store.error().message;
}

}  // namespace
}  // namespace ccm::core::store_test
