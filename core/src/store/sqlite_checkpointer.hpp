#pragma once

#include <Poco/Data/Session.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

struct sqlite3;

namespace ccm::core {

class ConnectionPool;

// Copies SQLite's write-ahead log into the database file off the commit path,
// soon after commits and in small steps (docs/performance.md#checkpoints).
// A commit only signals (SQLite's wal hook on every connection); the
// checkpointer's thread then runs a PASSIVE checkpoint, which waits for
// neither readers nor the writer, and at most one per `interval`. Small
// steps matter on disks where a flush costs by the amount flushed: a
// checkpoint that copies 100 ms of writes and fsyncs them slows the commits
// beside it by tens of milliseconds; ten of 10 ms each, by little. An idle
// store is not woken. Thread-safe.
class SqliteCheckpointer {
public:
  struct Options {
    // The least time between two checkpoints while commits go on.
    std::chrono::milliseconds interval{10};
    // A commit that leaves the log at least this many pages long checkpoints
    // it itself, as SQLite's own automatic checkpoint would (the hook
    // replaces that): a backstop for a checkpointer that cannot keep up.
    int inline_pages = 10000;
  };

  explicit SqliteCheckpointer(Options options);
  // Calls stop().
  ~SqliteCheckpointer();
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // Watches the commits on `session`, a SQLite connection, which must close
  // before this checkpointer is destroyed (ConnectionPool's on-open hook).
  void watch(Poco::Data::Session& session);
  // Starts checkpointing on connections of `pool`, which must stay open until
  // stop(). Once.
  void start(ConnectionPool& pool);
  // Ends the checkpointing thread; later commits are only counted.
  void stop();

private:
  static int onCommit(void* self, sqlite3* db, const char* schema, int pages);
  void run(ConnectionPool& pool);

  const Options options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool committed_ = false;  // since the last checkpoint began
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ccm::core
