#include "store/open_store.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <system_error>

#include "store/sql_store.hpp"
#include "store/sqlite_wal_buffer.hpp"

namespace ccm::core {
namespace {

// SQLite has one writer at a time; the other connections serve readers in parallel (WAL).
constexpr int kSqlitePoolSize = 8;
constexpr std::chrono::seconds kConnectionWait{30};

// Before the first connection opens: a pooled connection is used by one
// thread at a time, so SQLite's per-call connection mutex (serialized mode)
// and its allocation statistics (one more mutex per malloc) are pure cost on
// the group commit's path. Should a setting be refused, SQLite keeps its
// (safe, slower) default. Then the write-ahead log's writes are gathered into
// one per commit (sqlite_wal_buffer.hpp).
void configureSqlite() {
  sqlite3_shutdown();
  sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3_initialize();
  installSqliteWalBuffer();
}

void registerConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    configureSqlite();
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

std::optional<sdk::Error> checkConfig(const StoreConfig& config) {
  if (config.driver == StoreDriver::Sqlite) {
    if (config.sqlite.path.empty()) return sdk::Error{"/store/sqlite/path", "/store/sqlite/path: must not be empty"};
    if (config.sqlite.busy_timeout_ms < 0) {
      return sdk::Error{"/store/sqlite/busy_timeout_ms", "/store/sqlite/busy_timeout_ms: must be 0 or more"};
    }
    return std::nullopt;
  }
  if (config.postgresql.connection.empty()) {
    return sdk::Error{"/store/postgresql/connection",
                      "/store/postgresql/connection: required when /store/driver is \"postgresql\" "
                      "(a libpq connection string such as \"host=db dbname=ccm user=ccm\")"};
  }
  if (config.postgresql.pool_size < 1) {
    return sdk::Error{"/store/postgresql/pool_size", "/store/postgresql/pool_size: must be 1 or more"};
  }
  return std::nullopt;
}

std::optional<sdk::Error> createParentDirectory(const std::filesystem::path& file) {
  const auto directory = file.parent_path();
  if (directory.empty()) return std::nullopt;
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return sdk::Error{directory.string(),
                      directory.string() + ": cannot create the directory for the sqlite database: " + error.message()};
  }
  return std::nullopt;
}

}  // namespace

sdk::Result<std::unique_ptr<Store>> openStore(const StoreConfig& config) {
  if (auto error = checkConfig(config)) return *error;
  if (config.driver == StoreDriver::Sqlite) {
    if (auto error = createParentDirectory(config.sqlite.path)) return *error;
  }
  registerConnectors();
  const auto where =
      config.driver == StoreDriver::Sqlite ? config.sqlite.path.string() : "/store/postgresql/connection";
  try {
    const int pool_size = config.driver == StoreDriver::Sqlite ? kSqlitePoolSize : config.postgresql.pool_size;
    auto store =
        std::make_unique<SqlStore>(Dialect::forConfig(config), pool_size, kConnectionWait,
                                   static_cast<std::size_t>(config.retention.attempt_log.max_attempts_per_event));
    store->migrate();
    return std::unique_ptr<Store>(std::move(store));
  } catch (const StoreError& e) {
    return sdk::Error{where, e.what()};
  } catch (const Poco::Exception& e) {
    return sdk::Error{where, where + ": " + e.displayText()};
  }
}

sdk::Result<std::unique_ptr<SqliteGatewayLock>> lockStoreForGateway(const StoreConfig& config) {
  if (auto error = checkConfig(config)) return *error;
  if (config.driver != StoreDriver::Sqlite) return std::unique_ptr<SqliteGatewayLock>();
  if (auto error = createParentDirectory(config.sqlite.path)) return *error;
  return SqliteGatewayLock::acquire(config.sqlite.path);
}

}  // namespace ccm::core
