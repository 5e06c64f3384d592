#pragma once

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/dialect.hpp"
#include "store/store.hpp"

// Small helpers shared by the store's SQL code.
namespace ccm::core {

using SqlValue = std::variant<std::string, std::int64_t>;

// A statement for `sql` (with '?' placeholders) with `params` bound by copy;
// the caller adds into() extractions and executes it.
Poco::Data::Statement prepare(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                              const std::vector<SqlValue>& params);

// Executes and returns the number of rows affected.
std::size_t run(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                const std::vector<SqlValue>& params = {});

// The first column of every row.
std::vector<std::string> queryTexts(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                                    const std::vector<SqlValue>& params = {});
std::vector<std::int64_t> queryIntegers(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                                        const std::vector<SqlValue>& params = {});
// The first column of a query that returns exactly one row.
std::int64_t queryInteger(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                          const std::vector<SqlValue>& params = {});

// "INSERT ... ON CONFLICT (keys) DO UPDATE SET ..." for every column that is
// not a key; the same text on SQLite (3.24+) and PostgreSQL (9.5+).
std::string upsertSql(std::string_view table, const std::vector<std::string_view>& columns,
                      const std::vector<std::string_view>& keys);

// "(?, ?), (?, ?)" for `rows` rows of `columns` values: a multi-row VALUES list.
std::string valueRows(std::size_t columns, std::size_t rows);

// Calls chunk(first, count) for consecutive slices of at most `size` of `total` items.
template <class Chunk>
void forEachChunk(std::size_t total, std::size_t size, Chunk&& chunk) {
  for (std::size_t first = 0; first < total; first += size) chunk(first, std::min(size, total - first));
}

// Runs `body`; a database exception becomes a StoreError that starts with
// `operation` (what was being done to which row).
template <class Body>
decltype(auto) guarded(std::string_view operation, Body&& body) {
  try {
    return body();
  } catch (const StoreError&) {
    throw;
  } catch (const Poco::Exception& e) {
    throw StoreError(std::string(operation) + ": " + e.displayText());
  } catch (const std::exception& e) {
    throw StoreError(std::string(operation) + ": " + e.what());
  }
}

// The sink_pauses row of `sink` that `sql` (kSelectSinkPause, or a DELETE
// ... RETURNING the same columns) yields, if any.
inline constexpr std::string_view kSelectSinkPause = "SELECT paused_at, reason, automatic FROM sink_pauses WHERE sink = ?";
std::optional<SinkPause> readSinkPause(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                                       const std::string& sink);

// An RFC 3339 time as fixed-width UTC ("2026-02-18T09:30:00.000000Z"), so
// that string order is time order whatever offset or precision it was written
// with. Text that is not such a time is returned unchanged.
std::string sortableTime(std::string_view rfc3339);

}  // namespace ccm::core
