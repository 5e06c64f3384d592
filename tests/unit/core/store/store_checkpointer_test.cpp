#include <Poco/Data/SQLite/Connector.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "store/connection_pool.hpp"
#include "store/dialect.hpp"
#include "store/sql_statement.hpp"
#include "store/sqlite_checkpointer.hpp"
#include "store/store_config.hpp"
#include "wait_until.hpp"

namespace ccm::core {
namespace {

// A SQLite database in WAL mode whose connections a SqliteCheckpointer watches.
class SqliteCheckpointerTest : public ::testing::Test {
protected:
  void SetUp() override {
    Poco::Data::SQLite::Connector::registerConnector();
    std::string pattern = (std::filesystem::temp_directory_path() / "ccm-checkpointer-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    config_.sqlite.path = dir_ / "db.sqlite";
    dialect_ = Dialect::forConfig(config_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::uintmax_t databaseBytes() const { return std::filesystem::file_size(config_.sqlite.path); }

  // One transaction of `pages` pages of rows (4 KiB pages, one row each).
  static void writePages(ConnectionPool& pool, const Dialect& dialect, int pages) {
    auto lease = pool.acquire();
    run(lease->session(), dialect, "BEGIN");
    for (int i = 0; i < pages; ++i) {
      run(lease->session(), dialect, "INSERT INTO rows (body) VALUES (zeroblob(3000))");
    }
    run(lease->session(), dialect, "COMMIT");
  }

  void prepare(ConnectionPool& pool) {
    auto lease = pool.acquire();
    dialect_.prepareDatabase(lease->session());
    run(lease->session(), dialect_, "CREATE TABLE rows (body BLOB)");
    run(lease->session(), dialect_, "PRAGMA wal_checkpoint(TRUNCATE)");
  }

  std::filesystem::path dir_;
  StoreConfig config_;
  Dialect dialect_;
};

TEST_F(SqliteCheckpointerTest, CopiesTheLogIntoTheDatabaseSoonAfterACommit) {
  SqliteCheckpointer checkpointer(SqliteCheckpointer::Options{});
  ConnectionPool pool(dialect_, 2, std::chrono::seconds(5),
                      [&](Poco::Data::Session& session) { checkpointer.watch(session); });
  prepare(pool);
  checkpointer.start(pool);
  const auto before = databaseBytes();
  writePages(pool, dialect_, 200);
  EXPECT_TRUE(testing::waitUntil(std::chrono::seconds(5), [&] { return databaseBytes() >= before + 200 * 3000; }))
      << databaseBytes() << " bytes, " << before << " before";
  checkpointer.stop();
  writePages(pool, dialect_, 10);  // commits after stop() are only counted
}

TEST_F(SqliteCheckpointerTest, ACommitThatLeavesALongLogCheckpointsItWhenTheThreadIsNotRunning) {
  SqliteCheckpointer checkpointer(
      SqliteCheckpointer::Options{.interval = std::chrono::milliseconds(10), .inline_pages = 300});
  ConnectionPool pool(dialect_, 2, std::chrono::seconds(5),
                      [&](Poco::Data::Session& session) { checkpointer.watch(session); });
  prepare(pool);
  const auto before = databaseBytes();
  // Below the backstop nothing is copied: the hook has replaced SQLite's own
  // automatic checkpoint (1000 pages by default)...
  writePages(pool, dialect_, 250);
  EXPECT_EQ(databaseBytes(), before);
  // ...and at it the committing connection copies the whole log itself.
  writePages(pool, dialect_, 100);
  EXPECT_GE(databaseBytes(), before + 350 * 3000);
}

TEST_F(SqliteCheckpointerTest, TheHookReplacesSqlitesAutomaticCheckpoint) {
  SqliteCheckpointer checkpointer(SqliteCheckpointer::Options{});
  ConnectionPool pool(dialect_, 2, std::chrono::seconds(5),
                      [&](Poco::Data::Session& session) { checkpointer.watch(session); });
  prepare(pool);
  const auto before = databaseBytes();
  writePages(pool, dialect_, 1200);  // past SQLite's default of 1000 pages
  EXPECT_EQ(databaseBytes(), before);
}

}  // namespace
}  // namespace ccm::core
