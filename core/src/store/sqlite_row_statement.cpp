#include "store/sqlite_row_statement.hpp"

#include <Poco/Data/SQLite/Utility.h>
#include <sqlite3.h>

#include "store/sqlite_statement_cache.hpp"
#include "store/store.hpp"

namespace ccm::core {

SqliteRowStatement::SqliteRowStatement(Poco::Data::Session& session, std::string_view sql,
                                       SqliteStatementCache* cache)
    : db_(Poco::Data::SQLite::Utility::dbHandle(session)), owned_(cache == nullptr), sql_(sql) {
  if (cache != nullptr) {
    statement_ = cache->statement(db_, sql_);
  } else if (sqlite3_prepare_v2(db_, sql_.c_str(), static_cast<int>(sql_.size()), &statement_, nullptr) !=
             SQLITE_OK) {
    fail("prepare");
  }
}

SqliteRowStatement::~SqliteRowStatement() {
  if (owned_) {
    sqlite3_finalize(statement_);
  } else {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);  // the bound text is not the cache's to keep pointing at
  }
}

void SqliteRowStatement::bind(int parameter, std::string_view text) {
  if (sqlite3_bind_text(statement_, parameter, text.data(), static_cast<int>(text.size()), SQLITE_STATIC) !=
      SQLITE_OK) {
    fail("bind parameter " + std::to_string(parameter));
  }
}

void SqliteRowStatement::bind(int parameter, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, parameter, value) != SQLITE_OK)
    fail("bind parameter " + std::to_string(parameter));
}

int SqliteRowStatement::step() {
  const int result = sqlite3_step(statement_);
  if (result != SQLITE_DONE) {
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(statement_);
    throw StoreError("sqlite: \"" + sql_ + "\": " + message);
  }
  sqlite3_reset(statement_);
  return sqlite3_changes(db_);
}

std::int64_t SqliteRowStatement::stepForInteger() {
  int result = sqlite3_step(statement_);
  const bool row = result == SQLITE_ROW;
  const std::int64_t value = row ? sqlite3_column_int64(statement_, 0) : 0;
  while (result == SQLITE_ROW) result = sqlite3_step(statement_);
  if (result != SQLITE_DONE || !row) {
    const std::string message = result != SQLITE_DONE ? sqlite3_errmsg(db_) : "no row";
    sqlite3_reset(statement_);
    throw StoreError("sqlite: \"" + sql_ + "\": " + message);
  }
  sqlite3_reset(statement_);
  return value;
}

void sqliteExec(Poco::Data::Session& session, const char* sql, SqliteStatementCache* cache) {
  if (cache != nullptr) {
    SqliteRowStatement(session, sql, cache).step();
    return;
  }
  sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(session);
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw StoreError("sqlite: \"" + std::string(sql) + "\": " + sqlite3_errmsg(db));
  }
}

void SqliteRowStatement::fail(std::string_view what) const {
  throw StoreError("sqlite: cannot " + std::string(what) + " \"" + sql_ + "\": " + sqlite3_errmsg(db_));
}

}  // namespace ccm::core
