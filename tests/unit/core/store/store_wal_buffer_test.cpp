#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite_wal_buffer.hpp"

namespace ccm::core {
namespace {

// SQLite's own API on a database in a fresh temporary directory, through the
// buffering VFS (installed as the default).
class SqliteWalBufferTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(installSqliteWalBuffer());
    std::string pattern = (std::filesystem::temp_directory_path() / "ccm-wal-buffer-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  using Connection = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;
  Connection open() {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / "db.sqlite").c_str(), &db), SQLITE_OK) << sqlite3_errmsg(db);
    return {db, &sqlite3_close};
  }
  static void exec(sqlite3* db, const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error ? error : "");
    sqlite3_free(error);
  }
  static std::int64_t integer(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW) << sql << ": " << sqlite3_errmsg(db);
    const auto value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
  }

  static std::string text(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW) << sql << ": " << sqlite3_errmsg(db);
    const auto* value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    std::string result = value ? value : "";
    sqlite3_finalize(statement);
    return result;
  }

  std::filesystem::path dir_;
};

TEST_F(SqliteWalBufferTest, IsTheDefaultVfs) {
  EXPECT_STREQ(sqlite3_vfs_find(nullptr)->zName, "ccm-wal-buffer");
}

TEST_F(SqliteWalBufferTest, ACommitOfManyPagesIsOneWriteToTheLog) {
  auto db = open();
  exec(db.get(), "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE rows (body BLOB)");
  const auto before = sqliteWalBufferCounts();
  exec(db.get(), "BEGIN");
  for (int i = 0; i < 25; ++i) exec(db.get(), "INSERT INTO rows (body) VALUES (zeroblob(3000))");
  exec(db.get(), "COMMIT");
  const auto after = sqliteWalBufferCounts();
  // Two writes a frame from SQLite (header, page), at least one frame a row;
  // ~110 KB, under the unix VFS's 128 KiB a write.
  EXPECT_GE(after.sqlite_writes - before.sqlite_writes, 50u);
  EXPECT_EQ(after.os_writes - before.os_writes, 1u);
}

TEST_F(SqliteWalBufferTest, AnotherConnectionReadsEachCommitAtOnceWithoutSyncs) {
  // synchronous NORMAL publishes a commit to readers without a sync: the
  // frames must be in the file by then.
  auto writer = open();
  auto reader = open();
  exec(writer.get(),
       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE rows (n INTEGER, body BLOB)");
  for (int i = 1; i <= 50; ++i) {
    exec(writer.get(), "BEGIN");
    for (int j = 0; j < i % 7 + 1; ++j) {
      exec(writer.get(), "INSERT INTO rows (n, body) VALUES (" + std::to_string(i) + ", randomblob(2000))");
    }
    exec(writer.get(), "COMMIT");
    ASSERT_EQ(integer(reader.get(), "SELECT MAX(n) FROM rows"), i);
    ASSERT_EQ(integer(reader.get(), "SELECT COUNT(*) FROM rows WHERE n = " + std::to_string(i)), i % 7 + 1);
  }
}

TEST_F(SqliteWalBufferTest, ATransactionLargerThanTheCacheReadsBackWhatItSpilled) {
  auto db = open();
  exec(db.get(),
       "PRAGMA journal_mode = WAL; PRAGMA cache_size = 10; CREATE TABLE rows (n INTEGER PRIMARY KEY, body BLOB)");
  exec(db.get(), "BEGIN");
  for (int i = 0; i < 500; ++i) exec(db.get(), "INSERT INTO rows (body) VALUES (randomblob(1500))");
  exec(db.get(), "UPDATE rows SET body = zeroblob(100) WHERE n % 3 = 0");
  exec(db.get(), "COMMIT");
  EXPECT_EQ(integer(db.get(), "SELECT COUNT(*) FROM rows WHERE length(body) = 100"), 166);
  db.reset();
  auto again = open();
  EXPECT_EQ(integer(again.get(), "SELECT COUNT(*) FROM rows"), 500);
  EXPECT_EQ(integer(again.get(), "SELECT COUNT(*) FROM rows WHERE length(body) = 100"), 166);
}

TEST_F(SqliteWalBufferTest, ATransactionThatSpilledAndRolledBackLeavesNothingToWriteOverTheNextCommit) {
  // A's transaction outgrows its cache, so pages go to the log before the
  // commit, then it rolls back; B then commits frames at the same offsets.
  // A's spilled frames must have reached the file before B could write, not
  // later (at A's next read or close) on top of B's commit.
  auto a = open();
  auto b = open();
  exec(a.get(), "PRAGMA journal_mode = WAL; PRAGMA cache_size = 10; CREATE TABLE rows (n INTEGER, body BLOB)");
  // An empty log: the rollback then reads nothing back from it.
  exec(a.get(), "PRAGMA wal_checkpoint(TRUNCATE)");
  exec(a.get(), "BEGIN");
  for (int i = 0; i < 100; ++i) exec(a.get(), "INSERT INTO rows (n, body) VALUES (-1, randomblob(3000))");
  exec(a.get(), "ROLLBACK");
  exec(b.get(), "BEGIN");
  for (int i = 0; i < 30; ++i) {
    exec(b.get(), "INSERT INTO rows (n, body) VALUES (" + std::to_string(i) + ", zeroblob(3000))");
  }
  exec(b.get(), "COMMIT");
  a.reset();  // A's close
  b.reset();
  auto reader = open();
  EXPECT_EQ(text(reader.get(), "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(integer(reader.get(), "SELECT COUNT(*) FROM rows WHERE n >= 0 AND body = zeroblob(3000)"), 30);
  EXPECT_EQ(integer(reader.get(), "SELECT COUNT(*) FROM rows WHERE n < 0"), 0);
}

}  // namespace
}  // namespace ccm::core
