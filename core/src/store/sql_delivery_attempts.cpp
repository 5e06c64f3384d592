// SqlStore's attempt log (table delivery_attempts): the rows applyDelivery
// writes with a batch's results, read back per event, and pruned by age.
#include <set>

#include "store/pg_command.hpp"
#include "store/sql_statement.hpp"
#include "store/sql_store.hpp"
#include "store/sqlite_row_statement.hpp"

namespace ccm::core {

using Poco::Data::Keywords::into;

namespace {

constexpr std::size_t kAttemptRowsPerInsert = 500;
constexpr std::size_t kAttemptColumns = 9;

const std::string kInsertAttempts =
    "INSERT INTO delivery_attempts (sink, sequence, attempt, replay, attempted_at, outcome, http_status, error,"
    " latency_us) VALUES ";
// No status is stored as NULL; binding 0 for it keeps the value types to text and integers.
constexpr std::string_view kAttemptRow = "(?, ?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?)";

std::string attemptRows(std::size_t rows) {
  std::string out;
  for (std::size_t i = 0; i < rows; ++i) out += (i == 0 ? "" : ", ") + std::string(kAttemptRow);
  return out;
}

}  // namespace

void SqlStore::writeAttempts(Poco::Data::Session& session, const DeliveryUpdate& update) {
  const auto& attempts = update.attempts;
  if (attempts.empty()) return;
  // A batch's attempts share their time: converted once per run of equal values.
  std::vector<std::string> times;
  times.reserve(attempts.size());
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const bool same = i > 0 && attempts[i].attempted_at == attempts[i - 1].attempted_at;
    times.push_back(same ? times.back() : sortableTime(attempts[i].attempted_at));
  }
  if (dialect_.driver() == StoreDriver::Sqlite) {
    SqliteRowStatement row_insert(session, kInsertAttempts + attemptRows(1));
    for (std::size_t i = 0; i < attempts.size(); ++i) {
      const auto& attempt = attempts[i];
      row_insert.bind(1, update.sink);
      row_insert.bind(2, attempt.sequence);
      row_insert.bind(3, std::int64_t{attempt.attempt});
      row_insert.bind(4, std::int64_t{attempt.replay ? 1 : 0});
      row_insert.bind(5, times[i]);
      row_insert.bind(6, attempt.outcome);
      row_insert.bind(7, std::int64_t{attempt.http_status.value_or(0)});
      row_insert.bind(8, attempt.error);
      row_insert.bind(9, attempt.latency_us);
      row_insert.step();
    }
  } else {
    forEachChunk(attempts.size(), kAttemptRowsPerInsert, [&](std::size_t offset, std::size_t rows) {
      std::vector<SqlValue> params;
      params.reserve(rows * kAttemptColumns);
      for (std::size_t i = offset; i < offset + rows; ++i) {
        const auto& attempt = attempts[i];
        params.insert(params.end(), {update.sink, attempt.sequence, std::int64_t{attempt.attempt},
                                     std::int64_t{attempt.replay ? 1 : 0}, times[i], attempt.outcome,
                                     std::int64_t{attempt.http_status.value_or(0)}, attempt.error, attempt.latency_us});
      }
      execPostgres(session, dialect_, kInsertAttempts + attemptRows(rows), params);
    });
  }
  // Keep the newest attempts_per_event_ of an event. Only an attempt counted
  // beyond that limit, or a replay's (whose count starts again at 1), can
  // take an event past it, so an event delivered at its first try (almost
  // all of them) costs no statement here.
  std::set<std::int64_t> over_limit;
  for (const auto& attempt : attempts) {
    if (static_cast<std::size_t>(attempt.attempt) > attempts_per_event_ || attempt.replay) {
      over_limit.insert(attempt.sequence);
    }
  }
  for (const auto sequence : over_limit) {
    run(session, dialect_,
        "DELETE FROM delivery_attempts WHERE sequence = ? AND sink = ? AND attempted_at < (SELECT attempted_at"
        " FROM delivery_attempts WHERE sequence = ? AND sink = ? ORDER BY attempted_at DESC LIMIT 1 OFFSET ?)",
        {sequence, update.sink, sequence, update.sink, static_cast<std::int64_t>(attempts_per_event_ - 1)});
  }
}

std::vector<DeliveryAttempt> SqlStore::deliveryAttempts(const DeliveryAttemptQuery& query) {
  return guarded("deliveryAttempts of event " + std::to_string(query.sequence), [&] {
    auto lease = pool_.acquire();
    std::string sql =
        "SELECT sink, attempt, replay, attempted_at, outcome, COALESCE(http_status, 0), error, latency_us"
        " FROM delivery_attempts WHERE sequence = ?";
    std::vector<SqlValue> params{query.sequence};
    if (!query.sink.empty()) {
      sql += " AND sink = ?";
      params.emplace_back(query.sink);
    }
    sql += " ORDER BY attempted_at DESC, sink LIMIT ? OFFSET ?";
    params.emplace_back(static_cast<std::int64_t>(query.limit));
    params.emplace_back(static_cast<std::int64_t>(query.offset));
    std::vector<std::string> sinks, times, outcomes, errors;
    std::vector<int> numbers, replays, statuses;
    std::vector<Poco::Int64> latencies;
    auto statement = prepare(lease->session(), dialect_, sql, params);
    statement, into(sinks), into(numbers), into(replays), into(times), into(outcomes), into(statuses), into(errors),
        into(latencies);
    statement.execute();
    std::vector<DeliveryAttempt> attempts;
    for (std::size_t i = 0; i < sinks.size(); ++i) {
      std::optional<int> status;
      if (statuses[i] != 0) status = statuses[i];
      attempts.push_back({sinks[i], query.sequence, numbers[i], replays[i] != 0, times[i], outcomes[i], status,
                          errors[i], latencies[i]});
    }
    return attempts;
  });
}

std::size_t SqlStore::pruneDeliveryAttempts(const std::string& attempted_before, std::size_t limit) {
  if (limit == 0) return 0;
  return inTransaction("pruneDeliveryAttempts before " + attempted_before, [&](Poco::Data::Session& session) {
    // A range of the attempted_at index, ending at the limit-th oldest row
    // (or at the age limit when fewer are older): one bounded delete.
    const std::string before = sortableTime(attempted_before);
    return run(session, dialect_,
               "DELETE FROM delivery_attempts WHERE attempted_at < ? AND attempted_at <= COALESCE((SELECT"
               " attempted_at FROM delivery_attempts WHERE attempted_at < ? ORDER BY attempted_at LIMIT 1 OFFSET ?),"
               " ?)",
               {before, before, static_cast<std::int64_t>(limit - 1), before});
  });
}

}  // namespace ccm::core
