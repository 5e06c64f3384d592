#include "store/sqlite_gateway_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ccm::core {
namespace {

// What the holder wrote: its pid, or nothing if it has not written yet.
std::string holderOf(int fd) {
  char buffer[32] = {};
  const auto read = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string pid(buffer, read > 0 ? static_cast<std::size_t>(read) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "" : " (pid " + pid + ")";
}

}  // namespace

sdk::Result<std::unique_ptr<SqliteGatewayLock>> SqliteGatewayLock::acquire(const std::filesystem::path& database) {
  const auto path = database.string() + ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return sdk::Error{path, path + ": cannot open the database's lock file: " + std::strerror(errno)};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const auto holder = holderOf(fd);
    ::close(fd);
    if (error != EWOULDBLOCK) {
      return sdk::Error{path, path + ": cannot lock the database's lock file: " + std::strerror(error)};
    }
    return sdk::Error{database.string(), database.string() + ": another gateway" + holder +
                                             " has this SQLite database open (" + path +
                                             " is locked); run one gateway per SQLite file, or several replicas on "
                                             "store.driver \"postgresql\""};
  }
  const auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const auto message = path + ": cannot write the lock file: " + std::strerror(errno);
    ::close(fd);
    return sdk::Error{path, message};
  }
  return std::unique_ptr<SqliteGatewayLock>(new SqliteGatewayLock(fd));
}

SqliteGatewayLock::~SqliteGatewayLock() {
  ::close(fd_);
}

}  // namespace ccm::core
