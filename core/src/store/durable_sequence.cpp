#include "store/durable_sequence.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

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

DurableSequence::DurableSequence(std::filesystem::path log_file) : log_file_(std::move(log_file)) {}

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
  if (synced) raiseTo(durable_, last);
}

void DurableSequence::sync() {
  if (!limited()) return;
  std::lock_guard lock(sync_mutex_);
  if (!failure_.empty()) throw StoreError(failure_);
  // Read before the sync: what was committed by now is written to the file,
  // so the fdatasync below covers it.
  const auto target = committed_.load();
  if (target <= durable_.load() && fd_ >= 0) return;
  if (fd_ < 0) openLogFile();
  if (::fdatasync(fd_) != 0) {
    failure_ = systemError("cannot sync the event log to disk: fdatasync", log_file_) +
               "; commits since the last sync may be lost, so nothing more is acknowledged or delivered until "
               "the gateway restarts";
    throw StoreError(failure_);
  }
  raiseTo(durable_, target);
}

std::int64_t DurableSequence::durable() const {
  return limited() ? durable_.load() : std::numeric_limits<std::int64_t>::max();
}

void DurableSequence::openLogFile() {
  // The log stays while the store is open: SQLite deletes it only when its
  // last connection closes, and the store's pools keep one open.
  const int fd = ::open(log_file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw StoreError(systemError("cannot open the event log's write-ahead log", log_file_));
  auto directory = log_file_.parent_path();
  if (directory.empty()) directory = ".";
  const int directory_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool directory_synced = directory_fd >= 0 && ::fsync(directory_fd) == 0;
  if (directory_fd >= 0) ::close(directory_fd);
  if (!directory_synced) {
    const auto error = systemError("cannot sync the directory", directory);
    ::close(fd);
    throw StoreError(error);
  }
  fd_ = fd;
}

}  // namespace ccm::core
