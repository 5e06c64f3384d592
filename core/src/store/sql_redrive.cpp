// SqlStore's redrives (table sink_redrives, docs/delivery.md#redrive), and
// the lookup that turns a time into a sequence of the event log.
#include "store/sql_redrive.hpp"

#include "ccm/sdk/time.hpp"
#include "store/sql_statement.hpp"
#include "store/sql_store.hpp"

namespace ccm::core {

using Poco::Data::Keywords::into;

namespace {

constexpr std::string_view kRedriveColumns =
    "SELECT id, sink, from_sequence, to_sequence, filter_json, position, delivered, failed, state, created_at,"
    " updated_at FROM sink_redrives";

std::vector<SinkRedrive> readRedrives(Poco::Data::Session& session, const Dialect& dialect, const std::string& sql,
                                      const std::vector<SqlValue>& params) {
  std::vector<std::string> ids, sinks, filters, states, created, updated;
  std::vector<Poco::Int64> from, to, positions, delivered, failed;
  auto statement = prepare(session, dialect, sql, params);
  statement, into(ids), into(sinks), into(from), into(to), into(filters), into(positions), into(delivered),
      into(failed), into(states), into(created), into(updated);
  statement.execute();
  std::vector<SinkRedrive> redrives;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    redrives.push_back({ids[i], sinks[i], from[i], to[i], filters[i], positions[i], delivered[i], failed[i], states[i],
                        created[i], updated[i]});
  }
  return redrives;
}

std::optional<SinkRedrive> firstOf(std::vector<SinkRedrive> redrives) {
  if (redrives.empty()) return std::nullopt;
  return std::move(redrives.front());
}

}  // namespace

void storeRedriveProgress(Poco::Data::Session& session, const Dialect& dialect,
                          const std::vector<RedriveProgress>& progress, const std::string& now) {
  for (const auto& step : progress) {
    // The position only moves forward: outcomes of one redrive may be written
    // out of order when a failed write is merged with a later one.
    run(session, dialect,
        "UPDATE sink_redrives SET position = CASE WHEN position < ? THEN ? ELSE position END,"
        " delivered = delivered + ?, failed = failed + ?, updated_at = ?,"
        " state = CASE WHEN state = 'active' AND ? >= to_sequence THEN 'completed' ELSE state END WHERE id = ?",
        {step.position, step.position, step.delivered, step.failed, now, step.position, step.id});
  }
}

bool SqlStore::startRedrive(const SinkRedrive& redrive) {
  return inTransaction("startRedrive " + redrive.sink, [&](Poco::Data::Session& session) {
    // The partial unique index on active redrives refuses a second one.
    return run(session, dialect_,
               "INSERT INTO sink_redrives (id, sink, from_sequence, to_sequence, filter_json, position, delivered, "
               "failed,"
               " state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
               {redrive.id, redrive.sink, redrive.from_sequence, redrive.to_sequence, redrive.filter, redrive.position,
                redrive.delivered, redrive.failed, redrive.state, redrive.created_at, redrive.updated_at}) == 1;
  });
}

std::optional<SinkRedrive> SqlStore::activeRedrive(const std::string& sink) {
  return guarded("activeRedrive " + sink, [&] {
    auto lease = pool_.acquire();
    return firstOf(readRedrives(lease->session(), dialect_,
                                std::string(kRedriveColumns) + " WHERE sink = ? AND state = 'active'", {sink}));
  });
}

std::optional<SinkRedrive> SqlStore::findRedrive(const std::string& sink, const std::string& id) {
  return guarded("findRedrive " + id, [&] {
    auto lease = pool_.acquire();
    return firstOf(readRedrives(lease->session(), dialect_, std::string(kRedriveColumns) + " WHERE sink = ? AND id = ?",
                                {sink, id}));
  });
}

std::vector<SinkRedrive> SqlStore::listRedrives(const std::string& sink, std::size_t limit, std::size_t offset) {
  return guarded("listRedrives " + sink, [&] {
    auto lease = pool_.acquire();
    return readRedrives(
        lease->session(), dialect_,
        std::string(kRedriveColumns) + " WHERE sink = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
        {sink, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1000)), static_cast<std::int64_t>(offset)});
  });
}

std::optional<SinkRedrive> SqlStore::cancelRedrive(const std::string& sink, const std::string& id,
                                                   const std::string& now) {
  return inTransaction("cancelRedrive " + id, [&](Poco::Data::Session& session) {
    run(session, dialect_,
        "UPDATE sink_redrives SET state = 'cancelled', updated_at = ? WHERE sink = ? AND id = ? AND state = 'active'",
        {now, sink, id});
    return firstOf(
        readRedrives(session, dialect_, std::string(kRedriveColumns) + " WHERE sink = ? AND id = ?", {sink, id}));
  });
}

std::int64_t SqlStore::firstSequenceRecorded(std::chrono::system_clock::time_point time, bool inclusive) {
  return guarded("firstSequenceRecorded " + sdk::formatRfc3339(time), [&] {
    auto lease = pool_.acquire();
    auto& session = lease->session();
    // recorded_at is taken while the sequence row is locked for the commit,
    // so it grows with the sequence: "the first event at or after s is
    // recorded after `time`" is false, then true, as s grows. Each probe is
    // one primary-key lookup, and a gap (retention) only moves it forward.
    const auto passes = [&](std::int64_t sequence) {
      std::vector<std::string> recorded;
      auto statement =
          prepare(session, dialect_, "SELECT recorded_at FROM event_log WHERE sequence >= ? ORDER BY sequence LIMIT 1",
                  {sequence});
      statement, into(recorded);
      statement.execute();
      if (recorded.empty()) return true;
      const auto at = sdk::parseRfc3339(recorded.front());
      if (!at)
        throw StoreError("event_log sequence " + std::to_string(sequence) + ": recorded_at \"" + recorded.front() +
                         "\" is not an RFC 3339 time");
      return inclusive ? *at >= time : *at > time;
    };
    const std::int64_t last =
        std::min(queryInteger(session, dialect_, "SELECT value FROM event_sequence WHERE name = 'event_log'"),
                 durable_->durable());
    std::int64_t low = queryInteger(session, dialect_, "SELECT COALESCE(MIN(sequence), 1) FROM event_log");
    std::int64_t high = last + 1;
    while (low < high) {
      const std::int64_t middle = low + (high - low) / 2;
      if (passes(middle))
        high = middle;
      else
        low = middle + 1;
    }
    // The first existing sequence at or after `low` (a gap moves it on).
    const auto found = queryIntegers(
        session, dialect_, "SELECT sequence FROM event_log WHERE sequence >= ? ORDER BY sequence LIMIT 1", {low});
    return found.empty() ? last + 1 : found.front();
  });
}

}  // namespace ccm::core
