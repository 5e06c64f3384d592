#pragma once

#include <Poco/Data/Session.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql_statement.hpp"

struct pg_result;

namespace ccm::core {

// The rows a PostgreSQL statement returned, as text.
class PgRows {
public:
  explicit PgRows(pg_result* result);
  std::size_t size() const;
  std::string_view text(std::size_t row, int column) const;
  std::int64_t integer(std::size_t row, int column) const;

private:
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

// A PostgreSQL array in its text form ('{"a","b\\"c"}'), built element by
// element, to pass a column of many rows as one parameter: a batch becomes
// one short statement (INSERT ... SELECT FROM unnest(?::text[], ...)) whose
// text and parameter count do not depend on the number of rows, so the
// server parses and plans eight parameters, not eight per row.
class PgArrayLiteral {
public:
  void add(std::string_view text);
  void add(std::int64_t number);
  std::string take();

private:
  std::string text_ = "{";
};

// Runs `sql` (with '?' placeholders) on a Poco PostgreSQL session through
// libpq in one round trip (PQexecParams: parse, bind and execute together).
// For the group commit: Poco::Data's PostgreSQL connector spends four round
// trips on every statement (PQprepare, PQdescribePrepared, PQexecPrepared,
// DEALLOCATE) and a regular expression over its text to count placeholders.
// A failure throws std::runtime_error with the server's message and SQLSTATE
// (guarded() names the operation).
PgRows execPostgres(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                    const std::vector<SqlValue>& params);

}  // namespace ccm::core
