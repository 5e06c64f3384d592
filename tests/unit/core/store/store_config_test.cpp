#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.hpp"

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

sdk::Result<GatewayConfig> load(const std::string& store_section) {
  const std::string text = R"({"sinks": [], )" + store_section + "}";
  return loadConfigText(text, "gw.json", [](const std::string&) { return std::optional<std::string>(); });
}

TEST(StoreConfigLoading, WithoutStoreSectionDefaultsToSqlite) {
  auto config =
      loadConfigText(R"({"sinks": []})", "gw.json", [](const std::string&) { return std::optional<std::string>(); });
  ASSERT_TRUE(config) << config.error().message;
  const auto& store = config.value().store;
  EXPECT_EQ(store.driver, StoreDriver::Sqlite);
  EXPECT_EQ(store.sqlite.path, "./var/ccm-gateway.db");
  EXPECT_EQ(store.sqlite.synchronous, SqliteSynchronous::Full);
  EXPECT_EQ(store.sqlite.busy_timeout_ms, 5000);
  EXPECT_EQ(store.postgresql.pool_size, 8);
}

TEST(StoreConfigLoading, ReadsEverySqliteSetting) {
  auto config = load(R"("store": {"driver": "sqlite",
                                   "sqlite": {"path": "/data/gw.db", "synchronous": "normal", "busy_timeout_ms": 250}})");
  ASSERT_TRUE(config) << config.error().message;
  const auto& store = config.value().store;
  EXPECT_EQ(store.driver, StoreDriver::Sqlite);
  EXPECT_EQ(store.sqlite.path, "/data/gw.db");
  EXPECT_EQ(store.sqlite.synchronous, SqliteSynchronous::Normal);
  EXPECT_EQ(store.sqlite.busy_timeout_ms, 250);
}

TEST(StoreConfigLoading, ReadsEveryPostgresqlSetting) {
  auto config = load(R"("store": {"driver": "postgresql",
                                   "postgresql": {"connection": "host=db dbname=ccm", "pool_size": 3}})");
  ASSERT_TRUE(config) << config.error().message;
  const auto& store = config.value().store;
  EXPECT_EQ(store.driver, StoreDriver::Postgresql);
  EXPECT_EQ(store.postgresql.connection, "host=db dbname=ccm");
  EXPECT_EQ(store.postgresql.pool_size, 3);
}

TEST(StoreConfigLoading, PostgresqlWithoutConnectionIsAnErrorNamingThePointer) {
  auto config = load(R"("store": {"driver": "postgresql"})");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().where, "/store/postgresql/connection");
  EXPECT_THAT(config.error().message, HasSubstr("gw.json:1: /store/postgresql/connection: required"));
}

TEST(StoreConfigLoading, UnknownStoreKeyIsRejected) {
  auto config = load(R"("store": {"sqlite": {"path": "x.db", "journal": "wal"}})");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("/store/sqlite"));
}

TEST(StoreConfigLoading, UnknownDriverIsRejected) {
  auto config = load(R"("store": {"driver": "mysql"})");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("/store/driver"));
}

TEST(StoreConfigLoading, ShippedConfigSelectsSqlite) {
  auto config = loadConfigFile(CCM_SOURCE_DIR "/config/gateway.json",
                               [](const std::string&) { return std::optional<std::string>(); });
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config.value().store.driver, StoreDriver::Sqlite);
  EXPECT_EQ(config.value().store.sqlite.path, "./var/ccm-gateway.db");
}

}  // namespace
}  // namespace ccm::core
