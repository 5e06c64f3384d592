#include "store/dialect.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Logger.h>

#include <chrono>
#include <thread>

#include "observability/json_log.hpp"
#include "store/sql_statement.hpp"
#include "store/sqlite_row_statement.hpp"

namespace ccm::core {

Dialect Dialect::forConfig(const StoreConfig& config) {
  Dialect dialect;
  dialect.driver_ = config.driver;
  if (config.driver == StoreDriver::Sqlite) {
    dialect.connector_ = Poco::Data::SQLite::Connector::KEY;
    dialect.connection_string_ = config.sqlite.path.string();
    dialect.description_ = "sqlite database " + config.sqlite.path.string();
    dialect.busy_timeout_ = std::chrono::milliseconds(config.sqlite.busy_timeout_ms);
    dialect.connection_setup_ = {
        "PRAGMA busy_timeout = " + std::to_string(config.sqlite.busy_timeout_ms),
        "PRAGMA foreign_keys = ON",
        // A checkpointed log that grew in a burst is cut back to this when
        // it starts over, instead of keeping its largest size on disk.
        "PRAGMA journal_size_limit = 67108864",
        config.sqlite.synchronous == SqliteSynchronous::Full ? "PRAGMA synchronous = FULL"
                                                             : "PRAGMA synchronous = NORMAL",
    };
    if (config.sqlite.synchronous == SqliteSynchronous::Full) {
      dialect.deferrable_sync_log_ = config.sqlite.path.string() + "-wal";
    }
  } else {
    dialect.connector_ = Poco::Data::PostgreSQL::Connector::KEY;
    dialect.connection_string_ = config.postgresql.connection;
    dialect.description_ = "postgresql database (/store/postgresql/connection)";
    // Keeps "relation already exists, skipping" notices out of the gateway's stderr.
    dialect.connection_setup_ = {"SET client_min_messages TO WARNING"};
  }
  return dialect;
}

namespace {

// Runs `body`, retrying while another connection holds the file: switching
// modes needs it to itself and SQLite does not wait for that (no busy
// handler), so a replica opening beside another retries here.
template <class Body>
auto retryWhileLocked(std::chrono::milliseconds timeout, Body&& body) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      return body();
    } catch (const Poco::Data::SQLite::DBLockedException&) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

constexpr std::int64_t kIncrementalAutoVacuum = 2;

}  // namespace

void Dialect::prepareDatabase(Poco::Data::Session& session) const {
  if (driver_ != StoreDriver::Sqlite) return;
  // Incremental auto-vacuum lets retention give freed pages back to the file
  // system (Store::releaseFreePages). A new database takes the mode before its
  // first page; one made by an older release is rebuilt once by VACUUM (the
  // mode is stored in the file, so this happens on the first start only).
  if (queryInteger(session, *this, "PRAGMA auto_vacuum") != kIncrementalAutoVacuum) {
    const bool existing = queryInteger(session, *this, "PRAGMA page_count") > 0;
    run(session, *this, "PRAGMA auto_vacuum = INCREMENTAL");
    if (existing) {
      logWithFields(Poco::Logger::get("ccm.store"), sdk::LogLevel::Warning,
                    "converting the database to incremental auto-vacuum (once; takes a while on a large file)",
                    {{"database", description_}});
      retryWhileLocked(busy_timeout_, [&] { return run(session, *this, "VACUUM"); });
    }
  }
  // WAL lets readers run beside the one writer; the mode is stored in the file.
  const auto mode =
      retryWhileLocked(busy_timeout_, [&] { return queryTexts(session, *this, "PRAGMA journal_mode = WAL"); });
  if (mode.empty() || mode.front() != "wal") {
    throw StoreError(description_ + ": cannot switch to WAL journal mode (got \"" + (mode.empty() ? "" : mode.front()) +
                     "\")");
  }
}

std::string Dialect::sql(std::string_view portable) const {
  if (driver_ == StoreDriver::Sqlite) return std::string(portable);
  std::string out;
  out.reserve(portable.size() + 16);
  int next = 1;
  bool in_literal = false;
  for (char c : portable) {
    if (c == '\'') in_literal = !in_literal;
    if (c == '?' && !in_literal) {
      out += '$';
      out += std::to_string(next++);
    } else {
      out += c;
    }
  }
  return out;
}

void Dialect::begin(Poco::Data::Session& session, SqliteStatementCache* statements) const {
  if (driver_ == StoreDriver::Sqlite) {
    sqliteExec(session, "BEGIN IMMEDIATE", statements);
  } else {
    session.begin();
  }
}

void Dialect::commit(Poco::Data::Session& session, SqliteStatementCache* statements) const {
  if (driver_ == StoreDriver::Sqlite) {
    sqliteExec(session, "COMMIT", statements);
  } else {
    session.commit();
  }
}

void Dialect::rollback(Poco::Data::Session& session, SqliteStatementCache* statements) const {
  if (driver_ == StoreDriver::Sqlite) {
    sqliteExec(session, "ROLLBACK", statements);
  } else {
    session.rollback();
  }
}

std::string_view Dialect::rowLock() const {
  return driver_ == StoreDriver::Postgresql ? " FOR UPDATE" : "";
}

std::vector<std::string> Dialect::migrationLock() const {
  if (driver_ == StoreDriver::Sqlite) return {};
  // Any constant shared by every ccm-gateway replica; "ccm\0" in ASCII.
  return {"SELECT pg_advisory_xact_lock(1667460352)"};
}

std::string_view Dialect::sequenceColumnType() const {
  return driver_ == StoreDriver::Sqlite ? "INTEGER" : "BIGINT";
}

std::pair<std::string, std::string> Dialect::globMatch(std::string_view column, std::string_view glob) const {
  std::string pattern;
  if (driver_ == StoreDriver::Sqlite) {
    for (char c : glob) {
      if (c == '?') {
        pattern += "[?]";
      } else if (c == '[') {
        pattern += "[[]";
      } else {
        pattern += c;
      }
    }
    return {std::string(column) + " GLOB ?", pattern};
  }
  for (char c : glob) {
    if (c == '*') {
      pattern += '%';
    } else {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
  }
  return {std::string(column) + " LIKE ? ESCAPE '\\'", pattern};
}

}  // namespace ccm::core
