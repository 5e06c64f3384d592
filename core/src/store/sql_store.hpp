#pragma once

#include <memory>

#include "store/connection_pool.hpp"
#include "store/dialect.hpp"
#include "store/store.hpp"

namespace ccm::core {

// The Store on SQLite or PostgreSQL through Poco::Data; one code path, the
// differences kept in Dialect. Thread-safe: every call takes its own pooled
// connection. Transactions must be destroyed before the store.
class SqlStore final : public Store {
public:
  // Opens the pool; the schema is not touched (see openStore()).
  SqlStore(Dialect dialect, int pool_size, std::chrono::milliseconds connection_wait);

  // Prepares the database (WAL on SQLite) and applies missing migrations;
  // throws StoreError.
  void migrate();

  std::unique_ptr<Transaction> begin() override;
  std::vector<StoredEvent> readEvents(const EventQuery& query) override;
  std::int64_t lastSequence() override;
  int schemaVersion() override;

private:
  Dialect dialect_;
  ConnectionPool pool_;
};

}  // namespace ccm::core
