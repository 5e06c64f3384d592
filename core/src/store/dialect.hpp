#pragma once

#include <Poco/Data/Session.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/store_config.hpp"

namespace ccm::core {

class SqliteStatementCache;

// The few places where SQLite and PostgreSQL differ; everything else (schema,
// queries, ON CONFLICT upserts) is one text for both.
class Dialect {
public:
  static Dialect forConfig(const StoreConfig& config);

  StoreDriver driver() const { return driver_; }
  // Poco's connector name and the connection string it takes.
  const std::string& connector() const { return connector_; }
  const std::string& connectionString() const { return connection_string_; }
  // Statements run once on every new pooled connection.
  const std::vector<std::string>& connectionSetup() const { return connection_setup_; }

  // Run once when the store opens, before migrations.
  void prepareDatabase(Poco::Data::Session& session) const;

  // Queries are written with '?' placeholders; PostgreSQL wants $1, $2, ...
  std::string sql(std::string_view portable) const;

  // SQLite: BEGIN IMMEDIATE takes the write lock up front, so writers queue on
  // the busy timeout instead of failing with SQLITE_BUSY when a read lock
  // cannot be upgraded. PostgreSQL: Poco's begin(), which defers statement
  // deallocation to the end of the transaction (DEALLOCATE fails once a
  // transaction is aborted).
  // With `statements` (SQLite only), BEGIN, COMMIT and ROLLBACK are kept
  // prepared there.
  void begin(Poco::Data::Session& session, SqliteStatementCache* statements = nullptr) const;
  // SQLite allows one writer; the store queues its own writers on a mutex
  // rather than on SQLite's busy handler, whose sleeps (up to 100 ms each)
  // would add that much latency under contention.
  bool singleWriter() const { return driver_ == StoreDriver::Sqlite; }
  void commit(Poco::Data::Session& session, SqliteStatementCache* statements = nullptr) const;
  void rollback(Poco::Data::Session& session, SqliteStatementCache* statements = nullptr) const;

  // " FOR UPDATE" on PostgreSQL; SQLite already holds the database write lock
  // for the whole transaction.
  std::string_view rowLock() const;

  // Run first in the migration transaction so two replicas starting together
  // do not both create the schema; SQLite is already serialised by BEGIN IMMEDIATE.
  std::vector<std::string> migrationLock() const;

  // The event log's sequence column: an alias of the rowid on SQLite.
  std::string_view sequenceColumnType() const;

  // A WHERE condition on `column` (with one '?') and the bound pattern matching
  // `glob`, where '*' matches any run of characters and nothing else is special.
  // SQLite uses GLOB because its LIKE ignores ASCII case and event types are
  // case-sensitive; PostgreSQL uses LIKE with '%', '_' and '\' escaped.
  std::pair<std::string, std::string> globMatch(std::string_view column, std::string_view glob) const;

  // SQLite with synchronous = full: the write-ahead log (the database file's
  // "-wal"), whose fsync the store may take off the commit path
  // (DurableSequence). Empty where commits are left as they are.
  const std::filesystem::path& deferrableSyncLog() const { return deferrable_sync_log_; }

  // Names the database in errors without the connection string (which may hold a password).
  const std::string& description() const { return description_; }

private:
  StoreDriver driver_ = StoreDriver::Sqlite;
  std::string connector_;
  std::string connection_string_;
  std::vector<std::string> connection_setup_;
  std::string description_;
  std::filesystem::path deferrable_sync_log_;
  std::chrono::milliseconds busy_timeout_{0};  // SQLite: how long to wait for a lock
};

}  // namespace ccm::core
