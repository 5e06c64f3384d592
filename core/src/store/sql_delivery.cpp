// SqlStore's delivery state: per-sink cursors, done-above-cursor marks,
// retries, replays, leases and dead letters, plus ingress dedup expiry.
#include <algorithm>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/time.hpp"
#include "domain/uuid.hpp"
#include "store/sql_redrive.hpp"
#include "store/sql_statement.hpp"
#include "store/sql_store.hpp"
#include "store/sqlite_dedup_generations.hpp"

namespace ccm::core {

namespace {

// WHERE clause and parameters for a dead-letter filter.
std::pair<std::string, std::vector<SqlValue>> deadLetterWhere(const Dialect& dialect, const DeadLetterFilter& filter) {
  std::string where = " WHERE 1 = 1";
  std::vector<SqlValue> params;
  if (!filter.id.empty()) {
    where += " AND id = ?";
    params.emplace_back(filter.id);
  }
  if (!filter.sink.empty()) {
    where += " AND sink = ?";
    params.emplace_back(filter.sink);
  }
  if (!filter.type_glob.empty()) {
    auto [condition, pattern] = dialect.globMatch("type", filter.type_glob);
    where += " AND " + condition;
    params.emplace_back(std::move(pattern));
  }
  if (!filter.subject.empty()) {
    where += " AND subject = ?";
    params.emplace_back(filter.subject);
  }
  return {where, params};
}

}  // namespace

std::optional<StoredEvent> SqlStore::readEvent(std::int64_t sequence) {
  auto events = readEvents({sequence - 1, "", "", 1});
  if (events.empty() || events.front().sequence != sequence) return std::nullopt;
  return events.front();
}

ExpiredKeysPass SqlStore::forgetExpiredIngress(const std::string& now, std::size_t limit) {
  return inTransaction("forgetExpiredIngress before " + now, [&](Poco::Data::Session& session) {
    // Bounded, so one pass never holds the writer for long however many keys
    // expired at once. SQLite sweeps generations left behind.
    if (dialect_.driver() == StoreDriver::Sqlite) return sqliteForgetExpiredIngress(session, dialect_, sortableTime(now), limit);
    // PostgreSQL: through the expires_at index.
    const auto forgotten = run(session, dialect_,
                               "DELETE FROM ingress_dedup WHERE (source, event_id) IN (SELECT source, event_id FROM"
                               " ingress_dedup WHERE expires_at < ? ORDER BY expires_at LIMIT ?)",
                               {sortableTime(now), static_cast<std::int64_t>(limit)});
    const bool more = forgotten == limit;
    return ExpiredKeysPass{forgotten, more, more};
  });
}

SinkProgress SqlStore::loadSinkProgress(const std::string& sink, std::int64_t start_if_new) {
  return inTransaction("loadSinkProgress " + sink, [&](Poco::Data::Session& session) {
    run(session, dialect_,
        "INSERT INTO sink_cursors (sink, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (sink) DO NOTHING",
        {sink, start_if_new, sdk::formatRfc3339(std::chrono::system_clock::now())});
    SinkProgress progress;
    progress.cursor = queryInteger(session, dialect_, "SELECT position FROM sink_cursors WHERE sink = ?", {sink});
    progress.delivered_above = queryIntegers(
        session, dialect_, "SELECT sequence FROM sink_delivered WHERE sink = ? ORDER BY sequence", {sink});
    std::vector<Poco::Int64> sequences;
    std::vector<int> attempts;
    std::vector<std::string> first_error, first_at, last_error, last_at;
    auto statement = prepare(session, dialect_,
                             "SELECT sequence, attempts, first_error, first_error_at, last_error, last_error_at"
                             " FROM sink_retries WHERE sink = ? ORDER BY sequence",
                             {sink});
    using Poco::Data::Keywords::into;
    statement, into(sequences), into(attempts), into(first_error), into(first_at), into(last_error), into(last_at);
    statement.execute();
    for (std::size_t i = 0; i < sequences.size(); ++i) {
      progress.retries.push_back({sequences[i], attempts[i], first_error[i], first_at[i], last_error[i], last_at[i]});
    }
    return progress;
  });
}

std::vector<ReplayRequest> SqlStore::sinkReplays(const std::string& sink) {
  return guarded("sinkReplays " + sink, [&] {
    auto lease = pool_.acquire();
    std::vector<Poco::Int64> sequences;
    std::vector<std::string> recorded, bodies;
    using Poco::Data::Keywords::into;
    auto statement = prepare(lease->session(), dialect_,
                             "SELECT r.sequence, COALESCE(e.recorded_at, ''), COALESCE(e.body, r.body, '')"
                             " FROM sink_replays r LEFT JOIN event_log e ON e.sequence = r.sequence"
                             " WHERE r.sink = ? ORDER BY r.sequence",
                             {sink});
    statement, into(sequences), into(recorded), into(bodies);
    statement.execute();
    std::vector<ReplayRequest> replays;
    for (std::size_t i = 0; i < sequences.size(); ++i) {
      ReplayRequest replay{sequences[i], std::nullopt};
      if (auto event = sdk::parseStructured(bodies[i]))
        replay.stored = StoredEvent{sequences[i], event.value(), recorded[i]};
      replays.push_back(std::move(replay));
    }
    return replays;
  });
}

void SqlStore::applyDelivery(const DeliveryUpdate& update) {
  inTransaction("applyDelivery " + update.sink, [&](Poco::Data::Session& session) {
    const std::string now = sdk::formatRfc3339(std::chrono::system_clock::now());
    writeAttempts(session, update);
    for (const auto sequence : update.delivered) {
      run(session, dialect_,
          "INSERT INTO sink_delivered (sink, sequence) VALUES (?, ?) ON CONFLICT (sink, sequence) DO NOTHING",
          {update.sink, sequence});
    }
    for (const auto& retry : update.retries) {
      run(session, dialect_,
          upsertSql("sink_retries",
                    {"sink", "sequence", "attempts", "first_error", "first_error_at", "last_error", "last_error_at"},
                    {"sink", "sequence"}),
          {update.sink, retry.sequence, std::int64_t{retry.attempts}, retry.first_error, retry.first_error_at,
           retry.last_error, retry.last_error_at});
    }
    for (const auto sequence : update.retries_done) {
      run(session, dialect_, "DELETE FROM sink_retries WHERE sink = ? AND sequence = ?", {update.sink, sequence});
    }
    for (const auto& dead : update.dead) {
      run(session, dialect_,
          "INSERT INTO dead_letters (id, sink, sequence, event_id, type, subject, attempts, first_error,"
          " first_error_at, last_error, last_error_at, dead_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {dead.id.empty() ? newUuid() : dead.id, update.sink, dead.sequence, dead.event.id, dead.event.type,
           dead.event.subject.value_or(""), std::int64_t{dead.attempts}, dead.first_error, dead.first_error_at,
           dead.last_error, dead.last_error_at, dead.dead_at.empty() ? now : dead.dead_at,
           sdk::toStructured(dead.event)});
    }
    for (const auto sequence : update.replays_done) {
      run(session, dialect_, "DELETE FROM sink_replays WHERE sink = ? AND sequence = ?", {update.sink, sequence});
    }
    storeRedriveProgress(session, dialect_, update.redrives, now);
    if (update.cursor >= 0) {
      run(session, dialect_, "UPDATE sink_cursors SET position = ?, updated_at = ? WHERE sink = ? AND position < ?",
          {update.cursor, now, update.sink, update.cursor});
      run(session, dialect_, "DELETE FROM sink_delivered WHERE sink = ? AND sequence <= ?",
          {update.sink, update.cursor});
    }
    return 0;
  });
}

bool SqlStore::acquireSinkLease(const std::string& sink, const std::string& owner, const std::string& now,
                                const std::string& expires_at) {
  return inTransaction("acquireSinkLease " + sink, [&](Poco::Data::Session& session) {
    // Insert, or take over an expired lease, or renew our own; exactly one
    // replica's statement changes the row while the lease is contested.
    return run(session, dialect_,
               "INSERT INTO sink_leases (sink, owner, expires_at) VALUES (?, ?, ?)"
               " ON CONFLICT (sink) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
               " WHERE sink_leases.owner = excluded.owner OR sink_leases.expires_at < ?",
               {sink, owner, sortableTime(expires_at), sortableTime(now)}) == 1;
  });
}

SharedSinkState SqlStore::sharedSinkState(const std::string& sink) {
  return guarded("sharedSinkState " + sink, [&] {
    auto lease = pool_.acquire();
    auto& session = lease->session();
    SharedSinkState state;
    const auto cursor = queryIntegers(session, dialect_, "SELECT position FROM sink_cursors WHERE sink = ?", {sink});
    if (!cursor.empty()) state.cursor = cursor.front();
    const auto holder =
        queryTexts(session, dialect_, "SELECT owner FROM sink_leases WHERE sink = ? AND expires_at >= ?",
                   {sink, sortableTime(sdk::formatRfc3339(std::chrono::system_clock::now()))});
    if (!holder.empty()) state.lease_owner = holder.front();
    return state;
  });
}

std::optional<SinkPause> SqlStore::sinkPause(const std::string& sink) {
  return guarded("sinkPause " + sink, [&] {
    auto lease = pool_.acquire();
    return readSinkPause(lease->session(), dialect_, kSelectSinkPause, sink);
  });
}

void SqlStore::releaseSinkLease(const std::string& sink, const std::string& owner) {
  inTransaction("releaseSinkLease " + sink, [&](Poco::Data::Session& session) {
    return run(session, dialect_, "DELETE FROM sink_leases WHERE sink = ? AND owner = ?", {sink, owner});
  });
}

std::vector<DeadLetter> SqlStore::listDeadLetters(const DeadLetterFilter& filter) {
  return inTransaction("listDeadLetters", [&](Poco::Data::Session& session) {
    auto [where, params] = deadLetterWhere(dialect_, filter);
    params.emplace_back(static_cast<std::int64_t>(std::min<std::size_t>(filter.limit, 1000)));
    params.emplace_back(static_cast<std::int64_t>(filter.offset));
    std::vector<std::string> ids, sinks, first_error, first_at, last_error, last_at, dead_at, bodies;
    std::vector<Poco::Int64> sequences;
    std::vector<int> attempts;
    auto statement = prepare(session, dialect_,
                             "SELECT id, sink, sequence, attempts, first_error, first_error_at, last_error,"
                             " last_error_at, dead_at, body FROM dead_letters" +
                                 where + " ORDER BY sink, sequence LIMIT ? OFFSET ?",
                             params);
    using Poco::Data::Keywords::into;
    statement, into(ids), into(sinks), into(sequences), into(attempts), into(first_error), into(first_at),
        into(last_error), into(last_at), into(dead_at), into(bodies);
    statement.execute();
    std::vector<DeadLetter> letters;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto event = sdk::parseStructured(bodies[i]);
      if (!event) throw StoreError("dead_letters/" + ids[i] + ": stored body is not a CloudEvent");
      letters.push_back({ids[i], sinks[i], sequences[i], std::move(event.value()), attempts[i], first_error[i],
                         first_at[i], last_error[i], last_at[i], dead_at[i]});
    }
    return letters;
  });
}

std::size_t SqlStore::replayDeadLetters(const DeadLetterFilter& filter) {
  return inTransaction("replayDeadLetters", [&](Poco::Data::Session& session) {
    auto [where, params] = deadLetterWhere(dialect_, filter);
    run(session, dialect_,
        "INSERT INTO sink_replays (sink, sequence, body) SELECT sink, sequence, body FROM dead_letters" + where +
            " ON CONFLICT (sink, sequence) DO NOTHING",
        params);
    return run(session, dialect_, "DELETE FROM dead_letters" + where, params);
  });
}

std::size_t SqlStore::purgeDeadLetters(const DeadLetterFilter& filter) {
  return inTransaction("purgeDeadLetters", [&](Poco::Data::Session& session) {
    auto [where, params] = deadLetterWhere(dialect_, filter);
    return run(session, dialect_, "DELETE FROM dead_letters" + where, params);
  });
}

}  // namespace ccm::core
