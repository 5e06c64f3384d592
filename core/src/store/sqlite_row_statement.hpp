#pragma once

#include <Poco/Data/Session.h>

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace ccm::core {

class SqliteStatementCache;

// One single-row statement run for many rows on SQLite's own API: prepared
// once, then bound and stepped per row. For the group commit's bulk writes,
// where Poco::Data would prepare the statement again for every row, and a
// many-row VALUES list costs SQLite more to parse than the inserts themselves.
// Bound text is not copied: it must outlive the step() that uses it.
class SqliteRowStatement {
public:
  // `session` must be a Poco SQLite session. With `cache`, the statement is
  // the cache's (prepared once for the connection) rather than this object's.
  SqliteRowStatement(Poco::Data::Session& session, std::string_view sql, SqliteStatementCache* cache = nullptr);
  ~SqliteRowStatement();
  SqliteRowStatement(const SqliteRowStatement&) = delete;
  SqliteRowStatement& operator=(const SqliteRowStatement&) = delete;

  // Parameters count from 1, as in SQL.
  void bind(int parameter, std::string_view text);
  void bind(int parameter, std::int64_t value);
  // Runs the statement with the values bound and readies it for the next
  // row; returns the number of rows it changed. StoreError on failure.
  int step();
  // Runs a statement that yields one integer (UPDATE … RETURNING, say) to
  // its end and returns that integer. StoreError on failure or no row.
  std::int64_t stepForInteger();

private:
  [[noreturn]] void fail(std::string_view what) const;

  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
  bool owned_;  // finalized here, or left to the cache
  std::string sql_;
};

// Runs `sql` (no parameters, no rows: BEGIN, COMMIT) on SQLite's own API,
// without Poco's statement machinery, which costs more than these statements;
// with `cache`, prepared once for the connection. StoreError naming the
// statement on failure.
void sqliteExec(Poco::Data::Session& session, const char* sql, SqliteStatementCache* cache = nullptr);

}  // namespace ccm::core
