#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
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
// given to another event. (Only the event log: rows such commits changed,
// a session's state say, are readable before they are durable.) Where every
// commit is durable when it returns (PostgreSQL; SQLite with synchronous =
// normal, which accepts the loss), durable() has no limit. The mark is this
// process's, shared by every store the process opens on one database (of()),
// so each reads the others' commits; one gateway process per SQLite file
// (SqliteGatewayLock).
// Thread-safe.
class DurableSequence {
public:
  // The process's mark for `log_file` (the file to sync; empty: every commit
  // is durable already, and the mark is not shared), made on first use and
  // kept while a store holds it.
  static std::shared_ptr<DurableSequence> of(const std::filesystem::path& log_file);
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
  // refuses (or a write of the log failed unreported, SqliteWalBufferCounts),
  // and from then on here and in durable(): the kernel may have dropped what
  // it could not write, so nothing more is acknowledged or read until the
  // disk is checked and the gateway restarted.
  void sync();
  // The last sequence every reader may see; StoreError once a sync failed.
  std::int64_t durable() const;
  // fdatasyncs of the log so far (for tests and diagnostics).
  std::uint64_t syncs() const { return syncs_.load(); }

private:
  // Opens the log (again, when the path names another file than the one
  // open) and syncs its directory (SQLite syncs a new log's directory entry
  // only at its first own sync, which these commits may skip).
  void openLogFile();
  [[noreturn]] void fail(std::string reason);

  const std::filesystem::path log_file_;
  const std::uint64_t unreported_failures_at_start_;
  std::mutex sync_mutex_;  // one sync at a time; guards the three below
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  std::atomic<bool> failed_{false};
  std::string failure_;  // set before failed_
  std::atomic<std::int64_t> committed_{0};
  std::atomic<std::int64_t> durable_{0};
  std::atomic<std::uint64_t> syncs_{0};
};

}  // namespace ccm::core
