#include "store/sqlite_wal_buffer.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace ccm::core {
namespace {

constexpr const char* kVfsName = "ccm-wal-buffer";
// A log frame's header (wal.c's WAL_FRAME_HDRSIZE): bytes 4-7 hold the
// database size after the commit on a commit's last frame, 0 on the others.
constexpr int kFrameHeaderBytes = 24;
// A transaction larger than this (cache spills of a big delete) is written
// out in pieces of this size rather than held whole.
constexpr std::size_t kMaxBufferedBytes = 4 * 1024 * 1024;
// A buffer that grew past this for a large transaction is given back after it.
constexpr std::size_t kKeptCapacity = 512 * 1024;
// The unix VFS writes at most this much a call (os_unix.c masks the length
// with 0x1ffff, so a longer write would be cut short and fail as SQLITE_FULL).
constexpr std::size_t kMaxOsWrite = 0x1ffff;

std::atomic<std::uint64_t> os_writes{0};
std::atomic<std::uint64_t> sqlite_writes{0};
std::atomic<std::uint64_t> unreported_failures{0};

sqlite3_vfs* realVfs(sqlite3_vfs* vfs) {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}

// A VFS call passed straight to the platform's VFS.
template <auto Method, class... Args>
decltype(auto) forwardVfs(sqlite3_vfs* vfs, Args... args) {
  return (realVfs(vfs)->*Method)(realVfs(vfs), args...);
}

// Our part of an open file; the platform VFS's own file follows it.
struct BufferedFile {
  sqlite3_file base;
  sqlite3_file* real;
  bool wal;
  bool header_last = false;   // the last write was a frame's header, still buffered
  bool commit_frame = false;  // ...and that frame ends a commit
  sqlite3_int64 start = 0;    // the file offset of buffer's first byte
  std::vector<char> buffer;
};

constexpr std::size_t kOwnBytes = (sizeof(BufferedFile) + 15) / 16 * 16;

BufferedFile& own(sqlite3_file* file) {
  return *reinterpret_cast<BufferedFile*>(file);
}
const sqlite3_io_methods& real(BufferedFile& file) {
  return *file.real->pMethods;
}

// The logs this thread has frames buffered in. Only the holder of a
// database's WAL write lock writes frames, and it gives the lock up on the
// thread that took it (shmLock below), so no other thread touches these.
thread_local std::vector<BufferedFile*> files_with_frames;

int flush(BufferedFile& file) {
  if (file.buffer.empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < file.buffer.size() && rc == SQLITE_OK; done += kMaxOsWrite) {
    const auto piece = std::min(kMaxOsWrite, file.buffer.size() - done);
    rc = real(file).xWrite(file.real, file.buffer.data() + done, static_cast<int>(piece),
                           file.start + static_cast<sqlite3_int64>(done));
    os_writes.fetch_add(1, std::memory_order_relaxed);
  }
  // On failure the frames are dropped: SQLite sees the error on this call
  // (a sync, or its commit frame's write) and rolls the commit back.
  file.buffer.clear();
  if (file.buffer.capacity() > kKeptCapacity) std::vector<char>().swap(file.buffer);
  file.header_last = false;
  file.commit_frame = false;
  std::erase(files_with_frames, &file);
  return rc;
}

// A call passed straight to the platform's file.
template <auto Method, class... Args>
decltype(auto) forward(sqlite3_file* file, Args... args) {
  auto& self = own(file);
  return (real(self).*Method)(self.real, args...);
}

// The same, after the buffered frames have gone out (a read, truncation,
// sync, size query or file control of the log sees the file as SQLite wrote it).
template <auto Method, class... Args>
int flushThenForward(sqlite3_file* file, Args... args) {
  if (const int rc = flush(own(file)); rc != SQLITE_OK) return rc;
  return forward<Method>(file, args...);
}

int closeFile(sqlite3_file* file) {
  auto& self = own(file);
  const int flushed = flush(self);
  const int closed = real(self).xClose(self.real);
  self.~BufferedFile();
  return flushed != SQLITE_OK ? flushed : closed;
}

// Appends to the buffer; false when memory runs out (nothing appended).
bool append(BufferedFile& file, const void* data, int amount, sqlite3_int64 offset) {
  const bool first = file.buffer.empty();
  const auto* bytes = static_cast<const char*>(data);
  try {
    if (first) files_with_frames.push_back(&file);
    file.buffer.insert(file.buffer.end(), bytes, bytes + amount);
  } catch (const std::bad_alloc&) {
    if (first) std::erase(files_with_frames, &file);
    return false;
  }
  if (first) file.start = offset;
  return true;
}

// Only SQLite's usual pattern is gathered: a frame's 24-byte header, then its
// page right after it. Anything else (the log's own header, a checksum
// rewrite, a frame written in one piece) goes out at once, after what is
// buffered, so that an unknown pattern is merely not sped up.
int writeFile(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  auto& self = own(file);
  if (!self.wal) return real(self).xWrite(self.real, data, amount, offset);
  sqlite_writes.fetch_add(1, std::memory_order_relaxed);
  const auto end = self.start + static_cast<sqlite3_int64>(self.buffer.size());
  const bool follows = self.buffer.empty() || offset == end;
  if (amount == kFrameHeaderBytes && follows && !self.header_last) {
    const auto* size_after = static_cast<const unsigned char*>(data) + 4;
    if (append(self, data, amount, offset)) {
      self.header_last = true;
      self.commit_frame = (size_after[0] | size_after[1] | size_after[2] | size_after[3]) != 0;
      return SQLITE_OK;
    }
  } else if (self.header_last && offset == end && append(self, data, amount, offset)) {
    self.header_last = false;
    // A commit's last page goes out at once, so that the file holds the
    // commit before SQLite shows it to readers (without a sync first when
    // synchronous is NORMAL).
    if (self.commit_frame || self.buffer.size() >= kMaxBufferedBytes) return flush(self);
    return SQLITE_OK;
  }
  self.header_last = false;
  if (const int rc = flush(self); rc != SQLITE_OK) return rc;
  os_writes.fetch_add(1, std::memory_order_relaxed);
  return real(self).xWrite(self.real, data, amount, offset);
}

// Before a connection gives up the WAL write lock (slot 0 of the database's
// shared-memory locks), whatever it buffered goes out: frames of a
// transaction that spilled pages and then rolled back, checksums rewritten
// after the commit frame. Otherwise the next writer could commit frames at
// those offsets and a late flush would write over them. Unbuffered SQLite
// would have written them by then too.
int shmLock(sqlite3_file* file, int offset, int n, int flags) {
  if (offset == 0 && (flags & SQLITE_SHM_UNLOCK) != 0) {
    // SQLite ignores what an unlock returns, and its commit has already
    // succeeded (a checksum rewritten after the commit frame is flushed only
    // here on a connection that does not sync): counted, so that
    // DurableSequence refuses to call the commit durable.
    while (!files_with_frames.empty()) {
      if (flush(*files_with_frames.back()) != SQLITE_OK) unreported_failures.fetch_add(1);
    }
  }
  return forward<&sqlite3_io_methods::xShmLock>(file, offset, n, flags);
}
// Version 3, as the unix VFS's files (installSqliteWalBuffer wraps no other).
const sqlite3_io_methods kMethods = {.iVersion = 3,
                                     .xClose = &closeFile,
                                     .xRead = &flushThenForward<&sqlite3_io_methods::xRead, void*, int, sqlite3_int64>,
                                     .xWrite = &writeFile,
                                     .xTruncate = &flushThenForward<&sqlite3_io_methods::xTruncate, sqlite3_int64>,
                                     .xSync = &flushThenForward<&sqlite3_io_methods::xSync, int>,
                                     .xFileSize = &flushThenForward<&sqlite3_io_methods::xFileSize, sqlite3_int64*>,
                                     .xLock = &forward<&sqlite3_io_methods::xLock, int>,
                                     .xUnlock = &forward<&sqlite3_io_methods::xUnlock, int>,
                                     .xCheckReservedLock = &forward<&sqlite3_io_methods::xCheckReservedLock, int*>,
                                     .xFileControl = &flushThenForward<&sqlite3_io_methods::xFileControl, int, void*>,
                                     .xSectorSize = &forward<&sqlite3_io_methods::xSectorSize>,
                                     .xDeviceCharacteristics = &forward<&sqlite3_io_methods::xDeviceCharacteristics>,
                                     .xShmMap = &forward<&sqlite3_io_methods::xShmMap, int, int, int, void volatile**>,
                                     .xShmLock = &shmLock,
                                     .xShmBarrier = &forward<&sqlite3_io_methods::xShmBarrier>,
                                     .xShmUnmap = &forward<&sqlite3_io_methods::xShmUnmap, int>,
                                     .xFetch = &forward<&sqlite3_io_methods::xFetch, sqlite3_int64, int, void**>,
                                     .xUnfetch = &forward<&sqlite3_io_methods::xUnfetch, sqlite3_int64, void*>};

int openFile(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* self = new (file) BufferedFile{};
  self->base.pMethods = nullptr;
  self->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kOwnBytes);
  self->wal = (flags & SQLITE_OPEN_WAL) != 0;
  const int rc = forwardVfs<&sqlite3_vfs::xOpen>(vfs, name, self->real, flags, out_flags);
  if (self->real->pMethods == nullptr) {
    self->~BufferedFile();
    return rc == SQLITE_OK ? SQLITE_CANTOPEN : rc;
  }
  self->base.pMethods = &kMethods;
  return rc;
}

}  // namespace

bool installSqliteWalBuffer() {
  static sqlite3_vfs vfs{};
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_vfs* platform = sqlite3_vfs_find(nullptr);
    // Only the unix VFS is known to give files every method kMethods forwards to.
    if (platform == nullptr || platform->iVersion < 2 || std::strcmp(platform->zName, "unix") != 0) return;
    vfs = sqlite3_vfs{.iVersion = 2,
                      .szOsFile = static_cast<int>(kOwnBytes) + platform->szOsFile,
                      .mxPathname = platform->mxPathname,
                      .pNext = nullptr,
                      .zName = kVfsName,
                      .pAppData = platform,
                      .xOpen = &openFile,
                      .xDelete = &forwardVfs<&sqlite3_vfs::xDelete, const char*, int>,
                      .xAccess = &forwardVfs<&sqlite3_vfs::xAccess, const char*, int, int*>,
                      .xFullPathname = &forwardVfs<&sqlite3_vfs::xFullPathname, const char*, int, char*>,
                      .xDlOpen = &forwardVfs<&sqlite3_vfs::xDlOpen, const char*>,
                      .xDlError = &forwardVfs<&sqlite3_vfs::xDlError, int, char*>,
                      .xDlSym = &forwardVfs<&sqlite3_vfs::xDlSym, void*, const char*>,
                      .xDlClose = &forwardVfs<&sqlite3_vfs::xDlClose, void*>,
                      .xRandomness = &forwardVfs<&sqlite3_vfs::xRandomness, int, char*>,
                      .xSleep = &forwardVfs<&sqlite3_vfs::xSleep, int>,
                      .xCurrentTime = &forwardVfs<&sqlite3_vfs::xCurrentTime, double*>,
                      .xGetLastError = &forwardVfs<&sqlite3_vfs::xGetLastError, int, char*>,
                      .xCurrentTimeInt64 = &forwardVfs<&sqlite3_vfs::xCurrentTimeInt64, sqlite3_int64*>,
                      // version 3 only, which this VFS does not claim
                      .xSetSystemCall = nullptr,
                      .xGetSystemCall = nullptr,
                      .xNextSystemCall = nullptr};
  });
  // Again on every call: sqlite3_initialize() after a shutdown makes the
  // platform's VFS the default again.
  return vfs.xOpen != nullptr && sqlite3_vfs_register(&vfs, 1) == SQLITE_OK;
}

SqliteWalBufferCounts sqliteWalBufferCounts() {
  return {os_writes.load(std::memory_order_relaxed), sqlite_writes.load(std::memory_order_relaxed),
          unreported_failures.load()};
}

}  // namespace ccm::core
