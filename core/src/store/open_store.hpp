#pragma once

#include <memory>

#include "ccm/sdk/result.hpp"
#include "store/sqlite_gateway_lock.hpp"
#include "store/store.hpp"
#include "store/store_config.hpp"

namespace ccm::core {

// Opens the configured database and brings its schema up to date: creates the
// SQLite file's directory, switches SQLite to WAL, and applies the missing
// migrations in one transaction. Refuses a database whose schema is newer than
// this binary. The error's `where` is the config pointer or file at fault.
sdk::Result<std::unique_ptr<Store>> openStore(const StoreConfig& config);

// For a gateway, before openStore: on SQLite, the one-gateway-per-file lock
// (SqliteGatewayLock; creates the file's directory); null on PostgreSQL.
sdk::Result<std::unique_ptr<SqliteGatewayLock>> lockStoreForGateway(const StoreConfig& config);

}  // namespace ccm::core
