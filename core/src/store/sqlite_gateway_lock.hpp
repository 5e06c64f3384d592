#pragma once

#include <filesystem>
#include <memory>

#include "ccm/sdk/result.hpp"

namespace ccm::core {

// One gateway process per SQLite database: the durable mark that readers of
// the event log stop at is the process's own (DurableSequence), so a second
// gateway on the file would not see the first's events until it committed
// some of its own, and its sinks would stall. Held as an advisory lock
// (flock) on `<database>.lock`, which also names the holder's pid; the
// kernel drops it when the process ends, however it ends. Tools and tests
// that open a store on the file beside a gateway are not gateways and take
// no lock. Several replicas need PostgreSQL.
class SqliteGatewayLock {
public:
  // The lock, or an error naming the file and the gateway that holds it.
  static sdk::Result<std::unique_ptr<SqliteGatewayLock>> acquire(const std::filesystem::path& database);
  ~SqliteGatewayLock();
  SqliteGatewayLock(const SqliteGatewayLock&) = delete;
  SqliteGatewayLock& operator=(const SqliteGatewayLock&) = delete;

private:
  explicit SqliteGatewayLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace ccm::core
