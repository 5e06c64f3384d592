#include "store/connection_pool.hpp"

#include <Poco/Data/Statement.h>

#include "store/sql_statement.hpp"

namespace ccm::core {

ConnectionPool::Lease::~Lease() {
  // Back into Poco's pool first, so the connection is idle before a waiter wakes.
  try {
    session_.close();
  } catch (...) {
    // Poco's pool drops a connection that is no longer connected; nothing to report here.
  }
  slots_.release();
}

ConnectionPool::SetupSessionPool::SetupSessionPool(const Dialect& dialect, int size, OnOpen on_open)
    : Poco::Data::SessionPool(dialect.connector(), dialect.connectionString(), 1, size),
      dialect_(dialect),
      on_open_(std::move(on_open)) {}

void ConnectionPool::SetupSessionPool::customizeSession(Poco::Data::Session& session) {
  for (const auto& statement : dialect_.connectionSetup()) run(session, dialect_, statement);
  if (on_open_) on_open_(session);
}

ConnectionPool::ConnectionPool(const Dialect& dialect, int size, std::chrono::milliseconds wait, OnOpen on_open)
    : dialect_(dialect), wait_(wait), slots_(size), pool_(dialect, size, std::move(on_open)) {}

std::unique_ptr<ConnectionPool::Lease> ConnectionPool::acquire() {
  if (!slots_.try_acquire_for(wait_)) {
    throw StoreError(dialect_.description() + ": no connection came free within " + std::to_string(wait_.count()) +
                     " ms (pool of " + std::to_string(pool_.capacity()) + ")");
  }
  return leaseSlot();
}

std::unique_ptr<ConnectionPool::Lease> ConnectionPool::tryAcquire() {
  return slots_.try_acquire() ? leaseSlot() : nullptr;
}

std::unique_ptr<ConnectionPool::Lease> ConnectionPool::leaseSlot() {
  try {
    return std::make_unique<Lease>(slots_, pool_.get());
  } catch (const Poco::Exception& e) {
    slots_.release();
    throw StoreError(dialect_.description() + ": cannot open a connection: " + e.displayText());
  } catch (...) {
    slots_.release();
    throw;
  }
}

}  // namespace ccm::core
