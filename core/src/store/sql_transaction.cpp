#include "store/sql_transaction.hpp"

#include <algorithm>
#include <tuple>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/time.hpp"
#include "store/aggregate_json.hpp"
#include "store/pg_command.hpp"
#include "store/sql_statement.hpp"
#include "store/sqlite_dedup_generations.hpp"
#include "store/sqlite_row_statement.hpp"

namespace ccm::core {
namespace {

using Poco::Data::Keywords::into;

// Up to this many events a commit writes them as a VALUES list (eight
// parameters a row); beyond, as arrays through unnest(), whose statement does
// not grow with the rows (docs/performance.md: which is faster where).
constexpr std::size_t kRowsAsValues = 32;

template <class T>
using Parser = sdk::Result<T> (*)(std::string_view);

// Runs a query that selects (key, body) and parses every body; `table` and the
// key name a row whose body cannot be read.
template <class T>
std::vector<T> readRows(Poco::Data::Session& session, const Dialect& dialect, std::string_view table,
                        const std::string& sql, const std::vector<SqlValue>& params, Parser<T> parse) {
  std::vector<std::string> keys;
  std::vector<std::string> bodies;
  auto statement = prepare(session, dialect, sql, params);
  statement, into(keys), into(bodies);
  statement.execute();
  std::vector<T> rows;
  rows.reserve(bodies.size());
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    auto row = parse(bodies[i]);
    if (!row)
      throw StoreError(std::string(table) + "/" + keys[i] + ": stored body is unreadable: " + row.error().message);
    rows.push_back(std::move(row.value()));
  }
  return rows;
}

template <class T>
std::optional<T> first(std::vector<T> rows) {
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

void requireId(std::string_view table, const std::string& id) {
  if (id.empty()) throw StoreError(std::string(table) + ": cannot save a row with an empty id");
}

std::vector<SqlValue> page(std::size_t limit, std::size_t offset) {
  return {static_cast<std::int64_t>(limit), static_cast<std::int64_t>(offset)};
}

}  // namespace

SqlTransaction::SqlTransaction(const Dialect& dialect, std::unique_lock<std::mutex> writer,
                               std::unique_ptr<ConnectionPool::Lease> lease, DurableSequence& durable, bool synced,
                               SqliteStatementCache* statements)
    : dialect_(dialect),
      writer_(std::move(writer)),
      lease_(std::move(lease)),
      durable_(durable),
      synced_(synced),
      statements_(statements) {
  guarded("begin transaction on " + dialect_.description(), [&] { dialect_.begin(lease_->session(), statements_); });
}

SqlTransaction::~SqlTransaction() {
  if (ended_) return;
  try {
    dialect_.rollback(lease_->session(), statements_);
  } catch (...) {
    // ROLLBACK fails only on a lost connection, which Poco's pool discards
    // when the lease hands it back.
  }
}

Poco::Data::Session& SqlTransaction::session() {
  if (ended_) throw StoreError("transaction on " + dialect_.description() + " already committed");
  return lease_->session();
}

std::optional<LabletDefinition> SqlTransaction::findDefinition(const std::string& id) {
  return guarded("findDefinition definitions/" + id, [&] {
    return first(readRows(session(), dialect_, "definitions", "SELECT id, body FROM definitions WHERE id = ?", {id},
                          &definitionFromJson));
  });
}

std::vector<LabletDefinition> SqlTransaction::listDefinitions(std::size_t limit, std::size_t offset) {
  return guarded("listDefinitions from definitions", [&] {
    return readRows(session(), dialect_, "definitions",
                    "SELECT id, body FROM definitions ORDER BY created_at, id LIMIT ? OFFSET ?", page(limit, offset),
                    &definitionFromJson);
  });
}

void SqlTransaction::saveDefinition(const LabletDefinition& definition) {
  guarded("saveDefinition definitions/" + definition.id, [&] {
    requireId("definitions", definition.id);
    static const std::string sql =
        upsertSql("definitions", {"id", "name", "version", "created_at", "updated_at", "body"}, {"id"});
    run(session(), dialect_, sql,
        {definition.id, definition.name, std::int64_t{definition.version}, definition.created_at, definition.updated_at,
         toJson(definition)});
  });
}

void SqlTransaction::addDefinitionVersion(const DefinitionVersion& version) {
  guarded("addDefinitionVersion definition_versions/" + version.definition_id + "@" + std::to_string(version.version),
          [&] {
            run(session(), dialect_,
                "INSERT INTO definition_versions (definition_id, version, created_at, body) VALUES (?, ?, ?, ?)",
                {version.definition_id, std::int64_t{version.version}, version.created_at, toJson(version)});
          });
}

std::vector<DefinitionVersion> SqlTransaction::definitionVersions(const std::string& definition_id) {
  return guarded("definitionVersions definition_versions/" + definition_id, [&] {
    return readRows(session(), dialect_, "definition_versions",
                    "SELECT definition_id, body FROM definition_versions WHERE definition_id = ? ORDER BY version",
                    {definition_id}, &definitionVersionFromJson);
  });
}

std::optional<Worker> SqlTransaction::findWorker(const std::string& id, bool lock) {
  return guarded("findWorker workers/" + id, [&] {
    const std::string sql = "SELECT id, body FROM workers WHERE id = ?" + std::string(lock ? dialect_.rowLock() : "");
    return first(readRows(session(), dialect_, "workers", sql, {id}, &workerFromJson));
  });
}

std::vector<Worker> SqlTransaction::listWorkers(std::size_t limit, std::size_t offset) {
  return guarded("listWorkers from workers", [&] {
    return readRows(session(), dialect_, "workers",
                    "SELECT id, body FROM workers ORDER BY created_at, id LIMIT ? OFFSET ?", page(limit, offset),
                    &workerFromJson);
  });
}

void SqlTransaction::saveWorker(const Worker& worker) {
  guarded("saveWorker workers/" + worker.id, [&] {
    requireId("workers", worker.id);
    static const std::string sql =
        upsertSql("workers", {"id", "name", "state", "created_at", "updated_at", "body"}, {"id"});
    run(session(), dialect_, sql,
        {worker.id, worker.name, std::string(toString(worker.state)), worker.created_at, worker.updated_at,
         toJson(worker)});
  });
}

std::optional<LabletSession> SqlTransaction::findSession(const std::string& id, bool lock) {
  return guarded("findSession lablet_sessions/" + id, [&] {
    const std::string sql =
        "SELECT id, body FROM lablet_sessions WHERE id = ?" + std::string(lock ? dialect_.rowLock() : "");
    return first(readRows(session(), dialect_, "lablet_sessions", sql, {id}, &sessionFromJson));
  });
}

std::vector<LabletSession> SqlTransaction::listSessions(const SessionFilter& filter) {
  return guarded("listSessions from lablet_sessions", [&] {
    std::string where;
    std::vector<SqlValue> params;
    const auto add = [&](const std::string& condition) { where += (where.empty() ? " WHERE " : " AND ") + condition; };
    if (!filter.states.empty()) {
      std::string in;
      for (const auto state : filter.states) {
        in += in.empty() ? "?" : ", ?";
        params.emplace_back(std::string(toString(state)));
      }
      add("state IN (" + in + ")");
    }
    for (const auto& [column, value] :
         {std::pair{"owner_id", &filter.owner_id}, std::pair{"definition_id", &filter.definition_id},
          std::pair{"worker_id", &filter.worker_id}}) {
      if (value->empty()) continue;
      add(std::string(column) + " = ?");
      params.emplace_back(*value);
    }
    if (!filter.expires_before.empty()) {
      add("expires_at <> '' AND expires_at < ?");
      params.emplace_back(sortableTime(filter.expires_before));
    }
    params.emplace_back(static_cast<std::int64_t>(filter.limit));
    params.emplace_back(static_cast<std::int64_t>(filter.offset));
    return readRows(session(), dialect_, "lablet_sessions",
                    "SELECT id, body FROM lablet_sessions" + where + " ORDER BY created_at, id LIMIT ? OFFSET ?",
                    params, &sessionFromJson);
  });
}

void SqlTransaction::saveSession(const LabletSession& lablet_session) {
  guarded("saveSession lablet_sessions/" + lablet_session.id, [&] {
    requireId("lablet_sessions", lablet_session.id);
    static const std::string sql = upsertSql(
        "lablet_sessions",
        {"id", "definition_id", "owner_id", "state", "worker_id", "expires_at", "created_at", "updated_at", "body"},
        {"id"});
    run(session(), dialect_, sql,
        {lablet_session.id, lablet_session.definition_id, lablet_session.owner_id,
         std::string(toString(lablet_session.state)), lablet_session.worker_id, sortableTime(lablet_session.expires_at),
         lablet_session.created_at, lablet_session.updated_at, toJson(lablet_session)});
    savePortAllocations(lablet_session);
  });
}

// Replaces the session's rows; the (worker_id, port) key refuses a port that
// another session holds on the same worker.
void SqlTransaction::savePortAllocations(const LabletSession& lablet_session) {
  if (!lablet_session.allocated_ports.empty() && lablet_session.worker_id.empty()) {
    throw StoreError("lablet_sessions/" + lablet_session.id + ": has allocated ports but no worker_id");
  }
  run(session(), dialect_, "DELETE FROM port_allocations WHERE session_id = ?", {lablet_session.id});
  for (const auto& [annotation, port] : lablet_session.allocated_ports) {
    const std::size_t inserted =
        run(session(), dialect_,
            "INSERT INTO port_allocations (worker_id, port, session_id, annotation) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (worker_id, port) DO NOTHING",
            {lablet_session.worker_id, std::int64_t{port}, lablet_session.id, annotation});
    if (inserted == 1) continue;
    const auto holders =
        queryTexts(session(), dialect_, "SELECT session_id FROM port_allocations WHERE worker_id = ? AND port = ?",
                   {lablet_session.worker_id, std::int64_t{port}});
    throw StoreError("port_allocations: port " + std::to_string(port) + " on worker " + lablet_session.worker_id +
                     " is already allocated to session " + (holders.empty() ? "(unknown)" : holders.front()) +
                     "; session " + lablet_session.id + " cannot take it for " + annotation);
  }
}

std::optional<UserSession> SqlTransaction::findUserSession(const std::string& id) {
  return guarded("findUserSession user_sessions/" + id, [&] {
    return first(readRows(session(), dialect_, "user_sessions", "SELECT id, body FROM user_sessions WHERE id = ?", {id},
                          &userSessionFromJson));
  });
}

void SqlTransaction::saveUserSession(const UserSession& user_session) {
  guarded("saveUserSession user_sessions/" + user_session.id, [&] {
    requireId("user_sessions", user_session.id);
    static const std::string sql =
        upsertSql("user_sessions", {"id", "lablet_session_id", "state", "created_at", "updated_at", "body"}, {"id"});
    run(session(), dialect_, sql,
        {user_session.id, user_session.lablet_session_id, std::string(toString(user_session.state)),
         user_session.created_at, user_session.updated_at, toJson(user_session)});
  });
}

std::optional<GradingSession> SqlTransaction::findGradingSession(const std::string& id) {
  return guarded("findGradingSession grading_sessions/" + id, [&] {
    return first(readRows(session(), dialect_, "grading_sessions", "SELECT id, body FROM grading_sessions WHERE id = ?",
                          {id}, &gradingSessionFromJson));
  });
}

void SqlTransaction::saveGradingSession(const GradingSession& grading_session) {
  guarded("saveGradingSession grading_sessions/" + grading_session.id, [&] {
    requireId("grading_sessions", grading_session.id);
    static const std::string sql =
        upsertSql("grading_sessions", {"id", "lablet_session_id", "state", "created_at", "updated_at", "body"}, {"id"});
    run(session(), dialect_, sql,
        {grading_session.id, grading_session.lablet_session_id, std::string(toString(grading_session.state)),
         grading_session.created_at, grading_session.updated_at, toJson(grading_session)});
  });
}

std::optional<ScoreReport> SqlTransaction::findScoreReport(const std::string& id) {
  return guarded("findScoreReport score_reports/" + id, [&] {
    return first(readRows(session(), dialect_, "score_reports", "SELECT id, body FROM score_reports WHERE id = ?", {id},
                          &scoreReportFromJson));
  });
}

void SqlTransaction::saveScoreReport(const ScoreReport& report) {
  guarded("saveScoreReport score_reports/" + report.id, [&] {
    requireId("score_reports", report.id);
    static const std::string sql =
        upsertSql("score_reports", {"id", "lablet_session_id", "grading_session_id", "created_at", "body"}, {"id"});
    run(session(), dialect_, sql,
        {report.id, report.lablet_session_id, report.grading_session_id, report.created_at, toJson(report)});
  });
}

std::optional<SinkPause> SqlTransaction::findSinkPause(const std::string& sink) {
  return guarded("findSinkPause " + sink, [&] { return readSinkPause(session(), dialect_, kSelectSinkPause, sink); });
}

bool SqlTransaction::insertSinkPause(const SinkPause& pause) {
  return guarded("insertSinkPause " + pause.sink, [&] {
    return run(session(), dialect_,
               "INSERT INTO sink_pauses (sink, paused_at, reason, automatic) VALUES (?, ?, ?, ?)"
               " ON CONFLICT (sink) DO NOTHING",
               {pause.sink, pause.paused_at, pause.reason, std::int64_t{pause.automatic ? 1 : 0}}) == 1;
  });
}

std::optional<SinkPause> SqlTransaction::deleteSinkPause(const std::string& sink) {
  return guarded("deleteSinkPause " + sink, [&] {
    return readSinkPause(session(), dialect_,
                         "DELETE FROM sink_pauses WHERE sink = ? RETURNING paused_at, reason, automatic", sink);
  });
}

void SqlTransaction::appendRecord(EventRecord record) {
  session();  // refuses once the transaction has ended
  pending_events_.push_back(std::move(record));
}

void SqlTransaction::writeEvents() {
  if (pending_events_.empty()) return;
  guarded("append " + std::to_string(pending_events_.size()) + " events to event_log", [&] {
    const auto count = static_cast<std::int64_t>(pending_events_.size());
    // One round trip for the reservation and its result (SQLite 3.35+ and
    // PostgreSQL both have RETURNING).
    const std::string reserve = "UPDATE event_sequence SET value = value + ? WHERE name = 'event_log' RETURNING value";
    const bool sqlite = dialect_.driver() == StoreDriver::Sqlite;
    const auto reserved = [&] {
      if (!sqlite) return execPostgres(session(), dialect_, reserve, {count}).integer(0, 0);
      SqliteRowStatement reservation(session(), reserve, statements_);
      reservation.bind(1, count);
      return reservation.stepForInteger();
    };
    const std::int64_t first = reserved() - count + 1;
    last_sequence_ = first + count - 1;
    const std::string recorded_at = sdk::formatRfc3339(std::chrono::system_clock::now());
    const std::string insert =
        "INSERT INTO event_log (sequence, event_id, source, type, subject, time, recorded_at, body) VALUES ";
    if (sqlite) {
      SqliteRowStatement row_insert(session(), insert + valueRows(8, 1), statements_);
      for (std::size_t i = 0; i < pending_events_.size(); ++i) {
        const auto& row = pending_events_[i];
        row_insert.bind(1, first + static_cast<std::int64_t>(i));
        int parameter = 2;
        for (const auto* text : {&row.id, &row.source, &row.type, &row.subject, &row.time, &recorded_at, &row.body}) {
          row_insert.bind(parameter++, *text);
        }
        row_insert.step();
      }
    } else if (pending_events_.size() <= kRowsAsValues) {
      std::vector<SqlValue> params;
      params.reserve(pending_events_.size() * 8);
      for (std::size_t i = 0; i < pending_events_.size(); ++i) {
        auto& row = pending_events_[i];
        params.emplace_back(first + static_cast<std::int64_t>(i));
        for (auto* text : {&row.id, &row.source, &row.type, &row.subject, &row.time})
          params.emplace_back(std::move(*text));
        params.emplace_back(recorded_at);
        params.emplace_back(std::move(row.body));
      }
      execPostgres(session(), dialect_, insert + valueRows(8, pending_events_.size()), params);
    } else {
      // One statement for the whole commit, its columns as arrays (PgArrayLiteral).
      PgArrayLiteral columns[6];
      for (const auto& row : pending_events_) {
        int column = 0;
        for (const auto* text : {&row.id, &row.source, &row.type, &row.subject, &row.time, &row.body}) {
          columns[column++].add(*text);
        }
      }
      std::vector<SqlValue> params{first, recorded_at};
      for (auto& column : columns) params.emplace_back(column.take());
      execPostgres(session(), dialect_,
                   "INSERT INTO event_log (sequence, event_id, source, type, subject, time, recorded_at, body)"
                   " SELECT ?::bigint + row.ordinality - 1, row.event_id, row.source, row.type, row.subject, row.time,"
                   " ?, row.body FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])"
                   " WITH ORDINALITY AS row (event_id, source, type, subject, time, body, ordinality)",
                   params);
    }
    pending_events_.clear();
  });
}

std::vector<bool> SqlTransaction::rememberIngress(const std::vector<IngressKey>& keys) {
  return guarded("rememberIngress " + std::to_string(keys.size()) + " keys", [&] {
    if (dialect_.driver() == StoreDriver::Sqlite) return sqliteRememberIngress(session(), statements_, keys);
    std::vector<std::string> expiries;  // sortable; consecutive keys mostly share one, converted once
    expiries.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const bool same = i > 0 && keys[i].expires_at == keys[i - 1].expires_at;
      expiries.push_back(same ? expiries.back() : sortableTime(keys[i].expires_at));
    }
    std::vector<bool> remembered(keys.size(), false);
    // PostgreSQL: ON CONFLICT DO NOTHING makes concurrent duplicates race
    // safely (exactly one transaction inserts a key, whichever commits
    // first). Each distinct key once, in key order, so that every
    // transaction locks keys in the same order and two replicas cannot
    // deadlock here; RETURNING names the keys this transaction inserted.
    std::vector<std::size_t> order(keys.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const auto key_less = [&keys](std::size_t a, std::size_t b) {
      return std::tie(keys[a].source, keys[a].id) < std::tie(keys[b].source, keys[b].id);
    };
    std::stable_sort(order.begin(), order.end(), key_less);
    order.erase(std::unique(order.begin(), order.end(),
                            [&](std::size_t a, std::size_t b) { return !key_less(a, b) && !key_less(b, a); }),
                order.end());
    PgArrayLiteral sources, ids, expires;
    for (const std::size_t i : order) {
      sources.add(keys[i].source);
      ids.add(keys[i].id);
      expires.add(expiries[i]);
    }
    // unnest yields the rows in array (key) order, and they are inserted so.
    const PgRows returned = execPostgres(session(), dialect_,
                                         "INSERT INTO ingress_dedup (source, event_id, expires_at)"
                                         " SELECT * FROM unnest(?::text[], ?::text[], ?::text[])"
                                         " ON CONFLICT (source, event_id) DO NOTHING RETURNING source, event_id",
                                         {sources.take(), ids.take(), expires.take()});
    const auto source = [&](std::size_t j) { return returned.text(j, 0); };
    const auto id = [&](std::size_t j) { return returned.text(j, 1); };
    // Both lists in key order: one merge pass finds each inserted key.
    std::vector<std::size_t> inserted(returned.size());
    for (std::size_t j = 0; j < inserted.size(); ++j) inserted[j] = j;
    std::sort(inserted.begin(), inserted.end(),
              [&](std::size_t a, std::size_t b) { return std::pair(source(a), id(a)) < std::pair(source(b), id(b)); });
    std::size_t next = 0;
    for (std::size_t i = 0; i < order.size() && next < inserted.size(); ++i) {
      const auto& key = keys[order[i]];
      if (key.source == source(inserted[next]) && key.id == id(inserted[next])) {
        remembered[order[i]] = true;
        ++next;
      }
    }
    // A key that came back altered would otherwise turn every later key into a duplicate.
    if (next != inserted.size()) {
      throw StoreError("ingress_dedup: the database returned a key that was not sent (" +
                       std::string(source(inserted[next])) + ", " + std::string(id(inserted[next])) + ")");
    }
    return remembered;
  });
}

void SqlTransaction::forgetIngress(const std::vector<IngressKey>& keys) {
  guarded("forgetIngress " + std::to_string(keys.size()) + " keys", [&] {
    if (dialect_.driver() == StoreDriver::Sqlite) return sqliteForgetIngress(session(), statements_, keys);
    for (const auto& key : keys) {
      run(session(), dialect_, "DELETE FROM ingress_dedup WHERE source = ? AND event_id = ?", {key.source, key.id});
    }
  });
}

void SqlTransaction::savepoint(const std::string& name) {
  guarded("SAVEPOINT " + name, [&] { run(session(), dialect_, "SAVEPOINT " + name); });
  savepoints_.push_back({name, pending_events_.size()});
}

void SqlTransaction::rollbackTo(const std::string& name) {
  guarded("ROLLBACK TO SAVEPOINT " + name, [&] {
    run(session(), dialect_, "ROLLBACK TO SAVEPOINT " + name);
    // The savepoint stays (SQL keeps it after ROLLBACK TO); the ones set after it go.
    while (!savepoints_.empty() && savepoints_.back().name != name) savepoints_.pop_back();
    if (!savepoints_.empty())
      pending_events_.resize(std::min(pending_events_.size(), savepoints_.back().pending_events));
  });
}

void SqlTransaction::release(const std::string& name) {
  guarded("RELEASE SAVEPOINT " + name, [&] {
    run(session(), dialect_, "RELEASE SAVEPOINT " + name);
    while (!savepoints_.empty() && savepoints_.back().name != name) savepoints_.pop_back();
    if (!savepoints_.empty()) savepoints_.pop_back();
  });
}

void SqlTransaction::commit() {
  writeEvents();
  guarded("commit on " + dialect_.description(), [&] {
    dialect_.commit(session(), statements_);
    ended_ = true;
    if (last_sequence_ > 0) durable_.committed(last_sequence_, synced_);
    if (writer_.owns_lock()) writer_.unlock();
  });
}

}  // namespace ccm::core
