#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace ccm::core {

enum class StoreDriver { Sqlite, Postgresql };

// SQLite's PRAGMA synchronous: Full fsyncs every commit; Normal (WAL) may lose
// the last commits on power loss but never corrupts the database.
enum class SqliteSynchronous { Full, Normal };

// The "store" section of the gateway config, defaults applied.
struct StoreConfig {
  StoreDriver driver = StoreDriver::Sqlite;

  struct Sqlite {
    std::filesystem::path path = "./var/ccm-gateway.db";  // relative to the working directory
    SqliteSynchronous synchronous = SqliteSynchronous::Full;
    int busy_timeout_ms = 5000;  // how long a writer waits for the write lock
  } sqlite;

  struct Postgresql {
    std::string connection;  // libpq conninfo, e.g. "host=db dbname=ccm user=ccm"; may hold a password
    int pool_size = 8;       // connections per gateway replica
  } postgresql;

  // store.retention: how much of the event log is kept (docs/configuration.md).
  struct Retention {
    std::optional<std::int64_t> max_age_seconds;
    std::optional<std::int64_t> max_events;
    std::optional<std::int64_t> max_bytes;
    std::optional<std::int64_t> force_after_seconds;  // delete even what a sink has not passed
    int interval_ms = 1000;                           // between passes
    int batch_size = 1000;                            // events per delete transaction

    // store.retention.attempt_log: the delivery attempt log's bounds (always on).
    struct AttemptLog {
      int max_attempts_per_event = 10;              // newest kept per event and sink
      std::int64_t max_age_seconds = 7 * 24 * 3600;  // older attempts are deleted
    } attempt_log;

    bool enabled() const { return max_age_seconds || max_events || max_bytes; }
  } retention;
};

}  // namespace ccm::core
