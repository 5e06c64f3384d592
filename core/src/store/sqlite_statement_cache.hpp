#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace ccm::core {

// Statements kept prepared for one SQLite connection: the ingress group
// commit runs the same few statements on its own connection for every group,
// and parsing them again each time cost a seventh of its thread
// (docs/performance.md). Handed a different connection, it finalizes what it
// held first (a connection Poco closed stays a zombie until then).
// Not thread-safe: only the holder of the connection uses it.
class SqliteStatementCache {
public:
  SqliteStatementCache() = default;
  ~SqliteStatementCache();
  SqliteStatementCache(const SqliteStatementCache&) = delete;
  SqliteStatementCache& operator=(const SqliteStatementCache&) = delete;

  // `sql` prepared on `db`, reset and with no values bound; owned by the
  // cache. StoreError when it cannot be prepared.
  sqlite3_stmt* statement(sqlite3* db, std::string_view sql);

private:
  void finalizeAll();

  // Looked up by string_view, without a copy of the text.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> statements_;
};

}  // namespace ccm::core
