#include "store/pg_command.hpp"

#include <Poco/Data/PooledSessionImpl.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <libpq-fe.h>

#include <charconv>
#include <limits>
#include <stdexcept>

namespace ccm::core {

void PgRows::Clear::operator()(pg_result* result) const {
  PQclear(result);
}

PgRows::PgRows(pg_result* result) : result_(result) {}

std::size_t PgRows::size() const {
  return static_cast<std::size_t>(PQntuples(result_.get()));
}

std::string_view PgRows::text(std::size_t row, int column) const {
  const int r = static_cast<int>(row);
  return {PQgetvalue(result_.get(), r, column), static_cast<std::size_t>(PQgetlength(result_.get(), r, column))};
}

std::int64_t PgRows::integer(std::size_t row, int column) const {
  const auto value = text(row, column);
  std::int64_t out = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (error != std::errc{} || end != value.data() + value.size()) {
    throw std::runtime_error("expected an integer from PostgreSQL, got \"" + std::string(value) + "\"");
  }
  return out;
}

void PgArrayLiteral::add(std::string_view text) {
  if (text_.size() > 1) text_ += ',';
  text_ += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') text_ += '\\';
    text_ += c;
  }
  text_ += '"';
}

void PgArrayLiteral::add(std::int64_t number) {
  if (text_.size() > 1) text_ += ',';
  text_ += std::to_string(number);
}

std::string PgArrayLiteral::take() {
  std::string out = std::move(text_);
  out += '}';
  text_ = "{";
  return out;
}

namespace {

// A pooled session wraps the connector's own; PooledSessionImpl::impl() is
// protected, and naming it through a derived class is the lawful way to reach it.
struct PooledSessionAccess : Poco::Data::PooledSessionImpl {
  using Poco::Data::PooledSessionImpl::impl;
};

Poco::Data::PostgreSQL::SessionImpl* postgresImpl(Poco::Data::Session& session) {
  Poco::Data::SessionImpl* impl = session.impl();
  if (const auto* pooled = dynamic_cast<const Poco::Data::PooledSessionImpl*>(impl)) {
    impl = (pooled->*&PooledSessionAccess::impl)();
  }
  return dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(impl);
}

}  // namespace

PgRows execPostgres(Poco::Data::Session& session, const Dialect& dialect, std::string_view sql,
                    const std::vector<SqlValue>& params) {
  auto* impl = postgresImpl(session);
  if (!impl) throw std::runtime_error("execPostgres: not a PostgreSQL session");
  if (params.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::runtime_error("execPostgres: too many parameters");
  }
  // Integers as text; strings are passed where they are, not copied.
  std::vector<std::string> integers;
  integers.reserve(params.size());
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::string* text = std::get_if<std::string>(&params[i]);
    if (!text) text = &integers.emplace_back(std::to_string(std::get<std::int64_t>(params[i])));
    values[i] = text->c_str();
    lengths[i] = static_cast<int>(text->size());
  }
  const std::string statement = dialect.sql(sql);
  auto& handle = impl->handle();
  Poco::FastMutex::ScopedLock lock(handle.mutex());
  pg_result* result = PQexecParams(handle, statement.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                   lengths.data(), nullptr, 0);
  PgRows rows(result);
  const auto status = PQresultStatus(result);  // PGRES_FATAL_ERROR for no result
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(handle);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    throw std::runtime_error(message + (state ? std::string(" (SQLSTATE ") + state + ")" : std::string()));
  }
  return rows;
}

}  // namespace ccm::core
