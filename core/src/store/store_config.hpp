#pragma once

#include <filesystem>
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
};

}  // namespace ccm::core
