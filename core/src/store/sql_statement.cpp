#include "store/sql_statement.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Timestamp.h>

#include <algorithm>

namespace ccm::core {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;

Poco::Data::Statement prepare(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                              const std::vector<SqlValue>& params) {
  Poco::Data::Statement statement(session);
  statement << dialect.sql(sql);
  for (const auto& param : params) {
    std::visit([&statement](const auto& value) { statement, bind(value); }, param);
  }
  return statement;
}

std::size_t run(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                const std::vector<SqlValue>& params) {
  return prepare(session, dialect, sql, params).execute();
}

std::vector<std::string> queryTexts(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                                    const std::vector<SqlValue>& params) {
  std::vector<std::string> values;
  auto statement = prepare(session, dialect, sql, params);
  statement, into(values);
  statement.execute();
  return values;
}

std::vector<std::int64_t> queryIntegers(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                                        const std::vector<SqlValue>& params) {
  std::vector<Poco::Int64> values;
  auto statement = prepare(session, dialect, sql, params);
  statement, into(values);
  statement.execute();
  return {values.begin(), values.end()};
}

std::int64_t queryInteger(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                          const std::vector<SqlValue>& params) {
  const auto values = queryIntegers(session, dialect, sql, params);
  if (values.size() != 1) {
    throw StoreError("expected one row from \"" + std::string(sql) + "\", got " + std::to_string(values.size()));
  }
  return values.front();
}

std::optional<SinkPause> readSinkPause(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                                       const std::string& sink) {
  std::vector<std::string> paused_at, reasons;
  std::vector<Poco::Int64> automatic;
  auto statement = prepare(session, dialect, sql, {sink});
  statement, into(paused_at), into(reasons), into(automatic);
  statement.execute();
  if (paused_at.empty()) return std::nullopt;
  return SinkPause{sink, paused_at.front(), reasons.front(), automatic.front() != 0};
}

std::string upsertSql(std::string_view table, const std::vector<std::string_view>& columns,
                      const std::vector<std::string_view>& keys) {
  std::string names;
  std::string placeholders;
  std::string updates;
  for (const auto column : columns) {
    if (!names.empty()) {
      names += ", ";
      placeholders += ", ";
    }
    names += column;
    placeholders += '?';
    if (std::find(keys.begin(), keys.end(), column) != keys.end()) continue;
    if (!updates.empty()) updates += ", ";
    updates.append(column).append(" = excluded.").append(column);
  }
  std::string key_list;
  for (const auto key : keys) {
    if (!key_list.empty()) key_list += ", ";
    key_list += key;
  }
  return "INSERT INTO " + std::string(table) + " (" + names + ") VALUES (" + placeholders + ") ON CONFLICT (" +
         key_list + ") DO UPDATE SET " + updates;
}

std::string valueRows(std::size_t columns, std::size_t rows) {
  std::string row = "(";
  for (std::size_t c = 0; c < columns; ++c) row += c == 0 ? "?" : ", ?";
  row += ')';
  std::string out;
  out.reserve(rows * (row.size() + 2));
  for (std::size_t r = 0; r < rows; ++r) {
    if (r > 0) out += ", ";
    out += row;
  }
  return out;
}

std::string sortableTime(std::string_view rfc3339) {
  Poco::DateTime time;
  int zone = 0;
  const std::string text(rfc3339);
  if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, time, zone)) return text;
  time.makeUTC(zone);
  return Poco::DateTimeFormatter::format(time, "%Y-%m-%dT%H:%M:%S.%FZ");
}

}  // namespace ccm::core
