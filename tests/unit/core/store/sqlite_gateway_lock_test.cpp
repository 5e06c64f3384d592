// One gateway per SQLite database: the lock file, its holder's pid, and
// the error a second gateway gets.
#include "store/sqlite_gateway_lock.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "domain/uuid.hpp"
#include "store/open_store.hpp"

namespace ccm::core {
namespace {

class SqliteGatewayLockTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ccm-lock-" + std::to_string(::getpid()) + "-" + newUuid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string lockFileText() const {
    std::stringstream text;
    text << std::ifstream(dir_ / "gw.db.lock").rdbuf();
    return text.str();
  }
  std::filesystem::path dir_;
};

TEST_F(SqliteGatewayLockTest, TheHolderWritesItsPidAndASecondGatewayIsToldWhoHoldsTheFile) {
  auto first = SqliteGatewayLock::acquire(dir_ / "gw.db");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(lockFileText(), std::to_string(::getpid()) + "\n");
  const auto second = SqliteGatewayLock::acquire(dir_ / "gw.db");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().where, (dir_ / "gw.db").string());
  EXPECT_EQ(second.error().message, (dir_ / "gw.db").string() + ": another gateway (pid " + std::to_string(::getpid()) +
                                        ") has this SQLite database open (" + (dir_ / "gw.db.lock").string() +
                                        " is locked); run one gateway per SQLite file, or several replicas on "
                                        "store.driver \"postgresql\"");
  EXPECT_TRUE(SqliteGatewayLock::acquire(dir_ / "other.db")) << "another database is another lock";
}

TEST_F(SqliteGatewayLockTest, ReleasedWhenTheHolderGoesAndTakenAgainOverAStaleFile) {
  std::ofstream(dir_ / "gw.db.lock") << "99999\n";  // left by a gateway that died
  {
    auto first = SqliteGatewayLock::acquire(dir_ / "gw.db");
    ASSERT_TRUE(first) << first.error().message;
  }
  auto again = SqliteGatewayLock::acquire(dir_ / "gw.db");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(lockFileText(), std::to_string(::getpid()) + "\n");
}

TEST_F(SqliteGatewayLockTest, AGatewayCreatesTheDatabasesDirectoryToLockIn) {
  StoreConfig config;
  config.sqlite.path = dir_ / "new" / "gw.db";
  auto lock = lockStoreForGateway(config);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(lock.value());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "new" / "gw.db.lock"));
}

TEST_F(SqliteGatewayLockTest, PostgresqlTakesNoLock) {
  StoreConfig config;
  config.driver = StoreDriver::Postgresql;
  config.postgresql.connection = "host=127.0.0.1 dbname=unused";
  auto lock = lockStoreForGateway(config);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_FALSE(lock.value());
}

TEST_F(SqliteGatewayLockTest, ALockFileThatCannotBeMadeIsNamed) {
  std::ofstream(dir_ / "plain-file") << "not a directory";
  const auto lock = SqliteGatewayLock::acquire(dir_ / "plain-file" / "gw.db");
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().message,
            (dir_ / "plain-file" / "gw.db.lock").string() + ": cannot open the database's lock file: Not a directory");
}

}  // namespace
}  // namespace ccm::core
