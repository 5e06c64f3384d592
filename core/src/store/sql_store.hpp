#pragma once

#include <memory>
#include <mutex>

#include "store/connection_pool.hpp"
#include "store/dialect.hpp"
#include "store/durable_sequence.hpp"
#include "store/sql_statement.hpp"
#include "store/sqlite_checkpointer.hpp"
#include "store/sqlite_statement_cache.hpp"
#include "store/store.hpp"

namespace ccm::core {

// The Store on SQLite or PostgreSQL through Poco::Data; one code path, the
// differences kept in Dialect. Thread-safe: every call takes its own pooled
// connection. Transactions must be destroyed before the store.
class SqlStore final : public Store {
public:
  // Opens the pool; the schema is not touched (see openStore()).
  // `attempts_per_event`: store.retention.attempt_log.max_attempts_per_event.
  SqlStore(Dialect dialect, int pool_size, std::chrono::milliseconds connection_wait,
           std::size_t attempts_per_event = 10);
  // Stops the checkpointer before the pool closes.
  ~SqlStore() override;

  // Prepares the database (WAL on SQLite) and applies missing migrations;
  // throws StoreError.
  void migrate();

  std::unique_ptr<Transaction> begin() override;
  // SQLite with synchronous = full: on a connection of its own whose commits
  // skip the fsync; syncCommits() fdatasyncs the log (DurableSequence).
  std::unique_ptr<Transaction> beginWithoutSync() override;
  void syncCommits() override;
  std::vector<StoredEvent> readEvents(const EventQuery& query) override;
  std::int64_t lastSequence() override;
  int schemaVersion() override;
  std::optional<StoredEvent> readEvent(std::int64_t sequence) override;
  ExpiredKeysPass forgetExpiredIngress(const std::string& now, std::size_t limit) override;
  RetentionPass pruneEventLog(const RetentionLimits& limits, const std::vector<std::string>& consumers) override;
  std::int64_t firstSequence() override;
  std::vector<SkippedEvents> sinkSkips(const std::string& sink, std::size_t limit, std::size_t offset) override;
  std::chrono::steady_clock::duration lastWriteHeld() const override;
  FileSpace fileSpace() override;
  std::int64_t releaseFreePages(std::int64_t pages) override;

  SinkProgress loadSinkProgress(const std::string& sink, std::int64_t start_if_new) override;
  void applyDelivery(const DeliveryUpdate& update) override;
  std::vector<ReplayRequest> sinkReplays(const std::string& sink) override;
  bool acquireSinkLease(const std::string& sink, const std::string& owner, const std::string& now,
                        const std::string& expires_at) override;
  void releaseSinkLease(const std::string& sink, const std::string& owner) override;
  SharedSinkState sharedSinkState(const std::string& sink) override;
  std::optional<SinkPause> sinkPause(const std::string& sink) override;
  bool startRedrive(const SinkRedrive& redrive) override;
  std::optional<SinkRedrive> activeRedrive(const std::string& sink) override;
  std::optional<SinkRedrive> findRedrive(const std::string& sink, const std::string& id) override;
  std::vector<SinkRedrive> listRedrives(const std::string& sink, std::size_t limit, std::size_t offset) override;
  std::optional<SinkRedrive> cancelRedrive(const std::string& sink, const std::string& id,
                                           const std::string& now) override;
  std::int64_t firstSequenceRecorded(std::chrono::system_clock::time_point time, bool inclusive) override;
  std::vector<DeadLetter> listDeadLetters(const DeadLetterFilter& filter) override;
  std::size_t replayDeadLetters(const DeadLetterFilter& filter) override;
  std::size_t purgeDeadLetters(const DeadLetterFilter& filter) override;
  std::vector<DeliveryAttempt> deliveryAttempts(const DeliveryAttemptQuery& query) override;
  std::size_t pruneDeliveryAttempts(const std::string& attempted_before, std::size_t limit) override;

private:
  // Runs `body(session)` in its own transaction on a pooled connection.
  template <class Body>
  auto inTransaction(std::string_view operation, Body&& body);

  std::unique_lock<std::mutex> writerLock();
  // The last sequence handed out, durable or not.
  std::int64_t storedLastSequence();
  // Times the writer held for lastWriteHeld(): from its construction, after
  // the lock was taken, to its destruction.
  struct WriteTimer {
    WriteTimer();
    ~WriteTimer();
    std::chrono::steady_clock::time_point started;
  };
  // applyDelivery's attempt log rows, in its transaction (sql_delivery_attempts.cpp).
  void writeAttempts(Poco::Data::Session& session, const DeliveryUpdate& update);

  Dialect dialect_;
  // SQLite: watches every connection's commits (so declared before the pool,
  // which it outlives) and checkpoints off the commit path once migrated.
  SqliteCheckpointer checkpointer_;
  ConnectionPool pool_;
  std::shared_ptr<DurableSequence> durable_;  // shared with other stores on the file
  // beginWithoutSync()'s one connection (synchronous = NORMAL), or null when
  // commits are not deferred. Used under the writer lock only.
  std::unique_ptr<ConnectionPool> unsynced_pool_;
  // Its group commit's statements, prepared once (declared after the pool,
  // so finalized before the connection closes).
  SqliteStatementCache unsynced_statements_;
  std::mutex writer_;  // see Dialect::singleWriter()
  const std::size_t attempts_per_event_;
};

// Runs `body(session)` in one transaction, under the writer lock on SQLite.
template <class Body>
auto SqlStore::inTransaction(std::string_view operation, Body&& body) {
  return guarded(operation, [&] {
    auto writer = writerLock();
    const WriteTimer timer;
    auto lease = pool_.acquire();
    auto& session = lease->session();
    dialect_.begin(session);
    try {
      auto result = body(session);
      dialect_.commit(session);
      return result;
    } catch (...) {
      try {
        dialect_.rollback(session);
      } catch (...) {
        // The first failure is the one worth reporting.
      }
      throw;
    }
  });
}

}  // namespace ccm::core
