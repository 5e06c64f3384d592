#include "store/sqlite_statement_cache.hpp"

#include <sqlite3.h>

#include "store/store.hpp"

namespace ccm::core {

SqliteStatementCache::~SqliteStatementCache() {
  finalizeAll();
}

sqlite3_stmt* SqliteStatementCache::statement(sqlite3* db, std::string_view sql) {
  if (db != db_) {
    finalizeAll();
    db_ = db;
  }
  if (const auto found = statements_.find(sql); found != statements_.end()) return found->second;
  sqlite3_stmt* prepared = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &prepared,
                         nullptr) != SQLITE_OK) {
    throw StoreError("sqlite: cannot prepare \"" + std::string(sql) + "\": " + sqlite3_errmsg(db));
  }
  statements_.emplace(std::string(sql), prepared);
  return prepared;
}

void SqliteStatementCache::finalizeAll() {
  for (auto& [sql, prepared] : statements_) sqlite3_finalize(prepared);
  statements_.clear();
  db_ = nullptr;
}

}  // namespace ccm::core
