#include "store/sqlite_dedup_generations.hpp"

#include <Poco/Data/Statement.h>

#include <cstdint>

#include "store/sql_statement.hpp"
#include "store/sqlite_row_statement.hpp"

namespace ccm::core {
namespace {

constexpr const char* kCurrentGeneration = "SELECT generation FROM ingress_dedup_generations";

// Two statements rather than INSERT … SELECT … WHERE NOT EXISTS, which
// SQLite runs through a temporary table because it reads the table it
// inserts into.
constexpr const char* kInPreviousGeneration =
    "SELECT EXISTS (SELECT 1 FROM ingress_dedup WHERE generation = ?1 - 1 AND source = ?2 AND event_id = ?3)";
constexpr const char* kRememberKey =
    "INSERT INTO ingress_dedup (generation, source, event_id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";

// Writes only when a key expires later than any before it in the generation.
constexpr const char* kRaiseCurrentExpiry =
    "UPDATE ingress_dedup_generations SET current_expires_by = ?1 WHERE current_expires_by < ?1";

constexpr const char* kForgetKey = "DELETE FROM ingress_dedup WHERE generation = ?1 AND source = ?2 AND event_id = ?3";

std::int64_t currentGeneration(Poco::Data::Session& session, SqliteStatementCache* cache) {
  return SqliteRowStatement(session, kCurrentGeneration, cache).stepForInteger();
}

}  // namespace

std::vector<std::string> sqliteDedupGenerationsSchema() {
  return {
      "CREATE TABLE ingress_dedup_generations (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL,"
      " current_expires_by TEXT NOT NULL, previous_expires_by TEXT NOT NULL)",
      "INSERT INTO ingress_dedup_generations (id, generation, current_expires_by, previous_expires_by)"
      " VALUES (1, 1, COALESCE((SELECT MAX(expires_at) FROM ingress_dedup), ''), '')",
      "CREATE TABLE ingress_dedup_keys (generation INTEGER NOT NULL, source TEXT NOT NULL, event_id TEXT NOT NULL,"
      " PRIMARY KEY (generation, source, event_id)) WITHOUT ROWID",
      "INSERT INTO ingress_dedup_keys (generation, source, event_id) SELECT 1, source, event_id FROM ingress_dedup",
      "DROP TABLE ingress_dedup",
      "ALTER TABLE ingress_dedup_keys RENAME TO ingress_dedup",
  };
}

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
  SqliteRowStatement in_previous(session, kInPreviousGeneration, cache);
  SqliteRowStatement insert(session, kRememberKey, cache);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    for (auto* statement : {&in_previous, &insert}) {
      statement->bind(1, generation);
      statement->bind(2, keys[i].source);
      statement->bind(3, keys[i].id);
    }
    remembered[i] = in_previous.stepForInteger() == 0 && insert.step() == 1;
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

std::size_t sqliteForgetExpiredIngress(Poco::Data::Session& session, const std::string& now, std::size_t limit) {
  std::int64_t generation = 0;
  std::string current_expires_by, previous_expires_by;
  {
    using Poco::Data::Keywords::into;
    session << "SELECT generation, current_expires_by, previous_expires_by FROM ingress_dedup_generations",
        into(generation), into(current_expires_by), into(previous_expires_by), Poco::Data::Keywords::now;
  }
  const bool nothing_kept = current_expires_by.empty() && previous_expires_by.empty();
  if (previous_expires_by < now && !nothing_kept) {
    SqliteRowStatement(session,
                       "UPDATE ingress_dedup_generations SET generation = generation + 1,"
                       " previous_expires_by = current_expires_by, current_expires_by = ''")
        .step();
    ++generation;
  }
  if (limit == 0) return 0;
  // Left behind: older than the previous generation. Up to the `limit`-th
  // such key in key order, which a range on the primary key deletes without
  // reading the rest (an IN list of row values would read whole generations).
  const std::int64_t left_behind = generation - 1;
  std::vector<std::int64_t> last_generation;
  std::vector<std::string> last_source, last_id;
  {
    using Poco::Data::Keywords::bind;
    using Poco::Data::Keywords::into;
    session << "SELECT generation, source, event_id FROM ingress_dedup WHERE generation < ?"
               " ORDER BY generation, source, event_id LIMIT 1 OFFSET ?",
        bind(left_behind), bind(static_cast<std::int64_t>(limit) - 1), into(last_generation), into(last_source),
        into(last_id), Poco::Data::Keywords::now;
  }
  if (last_generation.empty()) {
    SqliteRowStatement forget(session, "DELETE FROM ingress_dedup WHERE generation < ?1");
    forget.bind(1, left_behind);
    return static_cast<std::size_t>(forget.step());
  }
  SqliteRowStatement forget(session, "DELETE FROM ingress_dedup WHERE (generation, source, event_id) <= (?1, ?2, ?3)");
  forget.bind(1, last_generation.front());
  forget.bind(2, last_source.front());
  forget.bind(3, last_id.front());
  return static_cast<std::size_t>(forget.step());
}

}  // namespace ccm::core
