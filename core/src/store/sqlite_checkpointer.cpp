#include "store/sqlite_checkpointer.hpp"

#include <Poco/Data/SQLite/Utility.h>
#include <sqlite3.h>

#include "store/connection_pool.hpp"
#include "observability/thread_name.hpp"

namespace ccm::core {

SqliteCheckpointer::SqliteCheckpointer(Options options) : options_(options) {}

SqliteCheckpointer::~SqliteCheckpointer() {
  stop();
}

void SqliteCheckpointer::watch(Poco::Data::Session& session) {
  sqlite3_wal_hook(Poco::Data::SQLite::Utility::dbHandle(session), &SqliteCheckpointer::onCommit, this);
}

int SqliteCheckpointer::onCommit(void* self, sqlite3* db, const char* schema, int pages) {
  auto& checkpointer = *static_cast<SqliteCheckpointer*>(self);
  if (pages >= checkpointer.options_.inline_pages) {
    // What SQLite's default hook does; a failure leaves the log for the next try.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  {
    std::lock_guard lock(checkpointer.mutex_);
    if (checkpointer.committed_) return SQLITE_OK;
    checkpointer.committed_ = true;
  }
  checkpointer.wake_.notify_one();
  return SQLITE_OK;
}

void SqliteCheckpointer::start(ConnectionPool& pool) {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this, &pool] { run(pool); });
}

void SqliteCheckpointer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void SqliteCheckpointer::run(ConnectionPool& pool) {
  nameCurrentThread("ccm-checkpoint");
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || committed_; });
    if (stopping_) return;
    committed_ = false;
    lock.unlock();
    try {
      // With no connection free the round is skipped: the next commit asks again.
      // A failed checkpoint leaves the log as it was; the next one copies it.
      if (auto lease = pool.tryAcquire()) {
        sqlite3_wal_checkpoint_v2(Poco::Data::SQLite::Utility::dbHandle(lease->session()), nullptr,
                                  SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      }
    } catch (const std::exception&) {
      // No connection could be opened: as above.
    }
    lock.lock();
    // Commits meanwhile wait for the next round, so that each checkpoint
    // copies about one interval's writes.
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

}  // namespace ccm::core
