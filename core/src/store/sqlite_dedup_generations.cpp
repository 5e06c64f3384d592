#include "store/sqlite_dedup_generations.hpp"

#include <cstdint>

#include "store/sql_statement.hpp"
#include "store/sqlite_row_statement.hpp"

namespace ccm::core {
namespace {

constexpr const char* kCurrentGeneration = "SELECT generation FROM ingress_dedup_generations";

// A key of a generation left behind (expired, not yet swept) is taken as
// new: moved to the current generation, which counts as a change.
constexpr const char* kRememberKey =
    "INSERT INTO ingress_dedup (source, event_id, generation) VALUES (?2, ?3, ?1)"
    " ON CONFLICT (source, event_id) DO UPDATE SET generation = excluded.generation"
    " WHERE generation < excluded.generation - 1";

// Writes only when a key expires later than any before it in the generation.
constexpr const char* kRaiseCurrentExpiry =
    "UPDATE ingress_dedup_generations SET current_expires_by = ?1 WHERE current_expires_by < ?1";

constexpr const char* kForgetKey = "DELETE FROM ingress_dedup WHERE source = ?2 AND event_id = ?3 AND generation = ?1";

std::int64_t currentGeneration(Poco::Data::Session& session, SqliteStatementCache* cache) {
  return SqliteRowStatement(session, kCurrentGeneration, cache).stepForInteger();
}

}  // namespace

std::string generationExpiresBy(std::string_view sortable) {
  // "2026-11-23T09:00:10.250000Z" -> "2026-11-23T09:00:10.999999Z"
  constexpr std::size_t kFraction = 20;
  if (sortable.size() != 27 || sortable[kFraction - 1] != '.' || sortable.back() != 'Z') return std::string(sortable);
  return std::string(sortable.substr(0, kFraction)) + "999999Z";
}

std::vector<bool> sqliteRememberIngress(Poco::Data::Session& session, SqliteStatementCache* cache,
                                        const std::vector<IngressKey>& keys) {
  std::vector<bool> remembered(keys.size(), false);
  if (keys.empty()) return remembered;
  const std::int64_t generation = currentGeneration(session, cache);
  std::string latest_expiry;  // sortable; consecutive keys mostly share one, converted once
  std::string_view last_converted;
  std::string expiry;
  // Row by row, in order: a repeat within `keys` finds its first copy.
  SqliteRowStatement insert(session, kRememberKey, cache);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    insert.bind(1, generation);
    insert.bind(2, keys[i].source);
    insert.bind(3, keys[i].id);
    remembered[i] = insert.step() == 1;
    if (!remembered[i]) continue;
    if (keys[i].expires_at != last_converted) {
      expiry = sortableTime(keys[i].expires_at);
      last_converted = keys[i].expires_at;
    }
    if (expiry > latest_expiry) latest_expiry = expiry;
  }
  if (!latest_expiry.empty()) {
    const std::string expires_by = generationExpiresBy(latest_expiry);
    SqliteRowStatement raise(session, kRaiseCurrentExpiry, cache);
    raise.bind(1, expires_by);
    raise.step();
  }
  return remembered;
}

void sqliteForgetIngress(Poco::Data::Session& session, SqliteStatementCache* cache,
                         const std::vector<IngressKey>& keys) {
  if (keys.empty()) return;
  const std::int64_t generation = currentGeneration(session, cache);
  SqliteRowStatement forget(session, kForgetKey, cache);
  for (const auto& key : keys) {
    forget.bind(1, generation);
    forget.bind(2, key.source);
    forget.bind(3, key.id);
    forget.step();
  }
}

ExpiredKeysPass sqliteForgetExpiredIngress(Poco::Data::Session& session, const Dialect& dialect,
                                           const std::string& now, std::size_t limit) {
  using Poco::Data::Keywords::into;
  std::int64_t generation = 0, swept_below = 0, sweep_below = 0;
  std::string current_expires_by, previous_expires_by, after_source, after_id;
  {
    auto state = prepare(session, dialect,
                         "SELECT generation, current_expires_by, previous_expires_by, swept_below, sweep_below,"
                         " sweep_after_source, sweep_after_event_id FROM ingress_dedup_generations",
                         {});
    state, into(generation), into(current_expires_by), into(previous_expires_by), into(swept_below),
        into(sweep_below), into(after_source), into(after_id);
    state.execute();
  }
  const bool nothing_kept = current_expires_by.empty() && previous_expires_by.empty();
  if (previous_expires_by < now && !nothing_kept) {
    ++generation;
    run(session, dialect,
        "UPDATE ingress_dedup_generations SET generation = ?, previous_expires_by = current_expires_by,"
        " current_expires_by = ''",
        {generation});
  }
  // A new sweep, for the generations left behind since the last one.
  if (sweep_below == swept_below && swept_below < generation - 1) sweep_below = generation - 1;
  if (sweep_below == swept_below || limit == 0) return {};

  // The keys from just after the sweep's position to the limit-th one (or
  // the end), as one range of the primary key.
  std::vector<std::string> last_source, last_id;
  {
    auto boundary = prepare(session, dialect,
                            "SELECT source, event_id FROM ingress_dedup WHERE (source, event_id) > (?, ?)"
                            " ORDER BY source, event_id LIMIT 1 OFFSET ?",
                            {after_source, after_id, static_cast<std::int64_t>(limit) - 1});
    boundary, into(last_source), into(last_id);
    boundary.execute();
  }
  const bool at_end = last_source.empty();
  const std::size_t forgotten =
      at_end ? run(session, dialect,
                   "DELETE FROM ingress_dedup WHERE (source, event_id) > (?, ?) AND generation < ?",
                   {after_source, after_id, sweep_below})
             : run(session, dialect,
                   "DELETE FROM ingress_dedup WHERE (source, event_id) > (?, ?) AND (source, event_id) <= (?, ?)"
                   " AND generation < ?",
                   {after_source, after_id, last_source.front(), last_id.front(), sweep_below});
  if (at_end) {
    swept_below = sweep_below;
    after_source.clear();
    after_id.clear();
  } else {
    after_source = last_source.front();
    after_id = last_id.front();
  }
  run(session, dialect,
      "UPDATE ingress_dedup_generations SET swept_below = ?, sweep_below = ?, sweep_after_source = ?,"
      " sweep_after_event_id = ?",
      {swept_below, sweep_below, after_source, after_id});
  // A sweep under way is on time until another generation is left behind
  // that it does not cover.
  const bool late = sweep_below < generation - 1;
  return {forgotten, !at_end || late, late};
}

}  // namespace ccm::core
