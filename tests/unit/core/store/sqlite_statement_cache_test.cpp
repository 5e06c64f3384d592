#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>

#include "store/sqlite_row_statement.hpp"
#include "store/sqlite_statement_cache.hpp"
#include "store/store.hpp"

namespace ccm::core {
namespace {

using Connection = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;

Connection openMemory() {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  return {db, &sqlite3_close};
}

int statementsOn(sqlite3* db) {
  int count = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s != nullptr; s = sqlite3_next_stmt(db, s)) ++count;
  return count;
}

TEST(SqliteStatementCacheTest, PreparesEachTextOnceForAConnection) {
  auto db = openMemory();
  SqliteStatementCache cache;
  sqlite3_stmt* first = cache.statement(db.get(), "SELECT 1");
  EXPECT_EQ(cache.statement(db.get(), "SELECT 1"), first);
  EXPECT_NE(cache.statement(db.get(), "SELECT 2"), first);
  EXPECT_EQ(statementsOn(db.get()), 2);
  EXPECT_STREQ(sqlite3_sql(first), "SELECT 1");
}

TEST(SqliteStatementCacheTest, AnotherConnectionFinalizesWhatTheFirstHeld) {
  auto first = openMemory();
  auto second = openMemory();
  SqliteStatementCache cache;
  cache.statement(first.get(), "SELECT 1");
  cache.statement(second.get(), "SELECT 1");
  EXPECT_EQ(statementsOn(first.get()), 0);
  EXPECT_EQ(statementsOn(second.get()), 1);
  // sqlite3_close (not _v2) refuses a connection with statements left.
  EXPECT_EQ(sqlite3_close(first.release()), SQLITE_OK);
}

TEST(SqliteStatementCacheTest, ItsEndFinalizesItsStatements) {
  auto db = openMemory();
  {
    SqliteStatementCache cache;
    cache.statement(db.get(), "SELECT 1");
    ASSERT_EQ(statementsOn(db.get()), 1);
  }
  EXPECT_EQ(statementsOn(db.get()), 0);
  EXPECT_EQ(sqlite3_close(db.release()), SQLITE_OK);
}

TEST(SqliteStatementCacheTest, TextThatDoesNotPrepareIsAStoreErrorNamingIt) {
  auto db = openMemory();
  SqliteStatementCache cache;
  try {
    cache.statement(db.get(), "SELEC 1");
    FAIL() << "prepared";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot prepare \"SELEC 1\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
  }
  EXPECT_EQ(statementsOn(db.get()), 0);
}

// Through SqliteRowStatement and sqliteExec on a Poco session, as the store runs them.
class CachedRowStatementTest : public ::testing::Test {
protected:
  void SetUp() override {
    Poco::Data::SQLite::Connector::registerConnector();
    session_.emplace("SQLite", ":memory:");
    sqliteExec(*session_, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
  }
  sqlite3* db() { return Poco::Data::SQLite::Utility::dbHandle(*session_); }

  std::optional<Poco::Data::Session> session_;
  SqliteStatementCache cache_;
};

TEST_F(CachedRowStatementTest, RowsGoInThroughOneStatementAcrossTransactions) {
  for (int round = 0; round < 2; ++round) {
    sqliteExec(*session_, "BEGIN IMMEDIATE", &cache_);
    SqliteRowStatement insert(*session_, "INSERT INTO t (v) VALUES (?)", &cache_);
    const std::string value = "row " + std::to_string(round);
    insert.bind(1, value);
    EXPECT_EQ(insert.step(), 1);
    sqliteExec(*session_, "COMMIT", &cache_);
  }
  EXPECT_EQ(statementsOn(db()), 3);  // BEGIN IMMEDIATE, the insert, COMMIT
  SqliteRowStatement count(*session_, "SELECT count(*) FROM t WHERE v LIKE 'row %'", &cache_);
  EXPECT_EQ(count.stepForInteger(), 2);
}

TEST_F(CachedRowStatementTest, LeavesNoValueBoundInTheCachedStatement) {
  {
    SqliteRowStatement select(*session_, "SELECT ?", &cache_);
    const std::string value = "gone with its owner";
    select.bind(1, value);
  }
  sqlite3_stmt* cached = cache_.statement(db(), "SELECT ?");
  ASSERT_EQ(sqlite3_step(cached), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_type(cached, 0), SQLITE_NULL);
  sqlite3_reset(cached);
}

TEST_F(CachedRowStatementTest, AFailedStepIsAStoreErrorAndTheStatementStaysUsable) {
  SqliteRowStatement insert(*session_, "INSERT INTO t (k, v) VALUES (?, 'x')", &cache_);
  insert.bind(1, std::int64_t{7});
  EXPECT_EQ(insert.step(), 1);
  insert.bind(1, std::int64_t{7});
  EXPECT_THROW(insert.step(), StoreError);
  insert.bind(1, std::int64_t{8});
  EXPECT_EQ(insert.step(), 1);
}

}  // namespace
}  // namespace ccm::core
