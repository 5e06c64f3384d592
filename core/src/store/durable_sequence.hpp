#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>

namespace ccm::core {

// How much of the event log is on disk, for a SQLite store (synchronous =
// full) whose ingress commits skip SQLite's fsync (Store::beginWithoutSync):
// such a commit is visible to the store's transactions at once and durable
// once sync() has fdatasynced the log file (the database's -wal) after it,
// which the next commits overlap (docs/performance.md#syncing-off-the-commit).
// Readers of the event log stop at durable(), so no sink or API reader sees an
// event that a power loss could take back and whose sequence could then be
// given to another event. Where every commit is durable when it returns
// (PostgreSQL; SQLite with synchronous = normal, which accepts the loss),
// durable() has no limit. Thread-safe.
class DurableSequence {
public:
  // `log_file` is the file to sync; empty: every commit is durable already.
  explicit DurableSequence(std::filesystem::path log_file);
  ~DurableSequence();
  DurableSequence(const DurableSequence&) = delete;
  DurableSequence& operator=(const DurableSequence&) = delete;

  bool limited() const { return !log_file_.empty(); }

  // When the store opens, `last` being the log's last sequence: syncs the log
  // (a process killed before its sync leaves commits that are in the file
  // but maybe not on the disk), after which everything up to `last` counts.
  void open(std::int64_t last);
  // After a commit whose events end at `last`; `synced` when the commit
  // itself waited for the disk (which also covers every commit before it).
  void committed(std::int64_t last, bool synced);
  // Makes every commit reported before the call durable: one fdatasync of the
  // log, none when nothing is waiting. Throws StoreError when the disk
  // refuses, and from then on at every call (the kernel may have dropped
  // what it could not write; only a restart, which syncs again, can tell).
  void sync();
  // The last sequence every reader may see.
  std::int64_t durable() const;

private:
  // Opens the log and syncs its directory once (SQLite syncs a new log's
  // directory entry only at its first own sync, which these commits skip).
  void openLogFile();

  const std::filesystem::path log_file_;
  std::mutex sync_mutex_;  // one sync at a time; guards the next two
  int fd_ = -1;
  std::string failure_;
  std::atomic<std::int64_t> committed_{0};
  std::atomic<std::int64_t> durable_{0};
};

}  // namespace ccm::core
