#include "store/durable_sequence.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <map>

#include "store/sqlite_wal_buffer.hpp"
#include "store/store.hpp"

namespace ccm::core {
namespace {

void raiseTo(std::atomic<std::int64_t>& value, std::int64_t at_least) {
  auto current = value.load();
  while (current < at_least && !value.compare_exchange_weak(current, at_least)) {
  }
}

std::string systemError(const std::string& what, const std::filesystem::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

}  // namespace

std::shared_ptr<DurableSequence> DurableSequence::of(const std::filesystem::path& log_file) {
  if (log_file.empty()) return std::make_shared<DurableSequence>(log_file);
  static std::mutex registry_mutex;
  static std::map<std::filesystem::path, std::weak_ptr<DurableSequence>> registry;
  std::error_code error;
  auto key = std::filesystem::weakly_canonical(log_file, error);
  if (error) key = std::filesystem::absolute(log_file);
  std::lock_guard lock(registry_mutex);
  std::erase_if(registry, [](const auto& entry) { return entry.second.expired(); });
  if (auto existing = registry[key].lock()) return existing;
  auto made = std::make_shared<DurableSequence>(log_file);
  registry[key] = made;
  return made;
}

DurableSequence::DurableSequence(std::filesystem::path log_file)
    : log_file_(std::move(log_file)), unreported_failures_at_start_(sqliteWalBufferCounts().unreported_failures) {}

DurableSequence::~DurableSequence() {
  if (fd_ >= 0) ::close(fd_);
}

void DurableSequence::open(std::int64_t last) {
  if (!limited()) return;
  raiseTo(committed_, last);
  sync();
  raiseTo(durable_, last);
}

void DurableSequence::committed(std::int64_t last, bool synced) {
  if (!limited()) return;
  raiseTo(committed_, last);
  // After a failed sync, SQLite's own fsync may succeed on pages the kernel
  // has already dropped: it proves nothing any more.
  if (synced && !failed_.load()) raiseTo(durable_, last);
}

void DurableSequence::sync() {
  if (!limited()) return;
  std::lock_guard lock(sync_mutex_);
  if (failed_.load()) throw StoreError(failure_);
  // Read before the sync: what was committed by now is written to the file,
  // so the fdatasync below covers it.
  const auto target = committed_.load();
  if (target <= durable_.load() && fd_ >= 0) return;
  openLogFile();
  if (::fdatasync(fd_) != 0) fail(systemError("cannot sync the event log to disk: fdatasync", log_file_));
  syncs_.fetch_add(1);
  if (sqliteWalBufferCounts().unreported_failures != unreported_failures_at_start_) {
    fail("a write to " + log_file_.string() + " failed after SQLite had reported its commit");
  }
  raiseTo(durable_, target);
}

std::int64_t DurableSequence::durable() const {
  if (!limited()) return std::numeric_limits<std::int64_t>::max();
  if (failed_.load()) throw StoreError(failure_);
  return durable_.load();
}

void DurableSequence::fail(std::string reason) {
  failure_ = std::move(reason) +
             "; commits since the last sync may be lost, so nothing more is acknowledged or read from the event log: "
             "check the disk, then restart the gateway";
  failed_.store(true);
  throw StoreError(failure_);
}

void DurableSequence::openLogFile() {
  // SQLite deletes the log only when a database's last connection closes,
  // and the store's pools keep one open; should the path name another file
  // all the same, that one is synced.
  struct stat named {};
  if (::stat(log_file_.c_str(), &named) != 0) {
    throw StoreError(systemError("cannot open the event log's write-ahead log", log_file_));
  }
  if (fd_ >= 0 && named.st_dev == device_ && named.st_ino == inode_) return;
  const int fd = ::open(log_file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw StoreError(systemError("cannot open the event log's write-ahead log", log_file_));
  auto directory = log_file_.parent_path();
  if (directory.empty()) directory = ".";
  const int directory_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool directory_synced = directory_fd >= 0 && ::fsync(directory_fd) == 0;
  const auto directory_error = systemError("cannot sync the directory", directory);
  if (directory_fd >= 0) ::close(directory_fd);
  struct stat opened {};
  if (!directory_synced || ::fstat(fd, &opened) != 0) {
    ::close(fd);
    throw StoreError(directory_synced ? systemError("cannot stat", log_file_) : directory_error);
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  device_ = opened.st_dev;
  inode_ = opened.st_ino;
}

}  // namespace ccm::core
