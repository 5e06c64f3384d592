#pragma once

#include <cstdint>

namespace ccm::core {

// Makes SQLite's default VFS one that wraps the platform's and gathers the
// writes to a write-ahead log into one write per commit (docs/performance.md#wal-writes).
// SQLite writes every log frame as two writes, its 24-byte header and then
// the page: a group commit of 25 pages costs 50 system calls, and on a VM
// those took more time than the fsync after them. Only that pattern (a
// header, then its page right after it) is gathered, anything else goes out
// at once. Frames stay in memory only until the commit's last frame, a sync,
// read, truncation, size query or file control of the log, or the
// connection giving up the log's write lock, so readers and the file always
// see whole commits as SQLite wrote them. Files other than logs are passed
// through. Call after sqlite3_initialize() and before the first connection
// opens (connections keep the VFS they opened with). Returns false (and
// changes nothing) when the default VFS is not SQLite's unix VFS.
bool installSqliteWalBuffer();

// Writes the wrapper has issued to write-ahead logs so far, the frame writes
// it took from SQLite (for tests and diagnostics), and the writes that failed
// where SQLite could not be told (as a connection gave up the log's write
// lock, after its commit): each may have lost a commit that SQLite reported.
struct SqliteWalBufferCounts {
  std::uint64_t os_writes = 0;
  std::uint64_t sqlite_writes = 0;
  std::uint64_t unreported_failures = 0;
};
SqliteWalBufferCounts sqliteWalBufferCounts();

}  // namespace ccm::core
