#include "store/migrations.hpp"

#include <array>

#include "ccm/sdk/time.hpp"
#include "store/sql_statement.hpp"
#include "store/store.hpp"

namespace ccm::core {
namespace {

// Each aggregate is one row: the columns the store filters on, and `body`, the
// whole aggregate as JSON (aggregate_json.hpp), which is what is read back.
std::vector<std::string> initialSchema(const Dialect& dialect) {
  const std::string sequence_type(dialect.sequenceColumnType());
  return {
      "CREATE TABLE definitions ("
      " id TEXT PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL,"
      " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL)",
      "CREATE TABLE definition_versions ("
      " definition_id TEXT NOT NULL REFERENCES definitions (id) ON DELETE CASCADE,"
      " version INTEGER NOT NULL, created_at TEXT NOT NULL, body TEXT NOT NULL,"
      " PRIMARY KEY (definition_id, version))",
      "CREATE TABLE workers ("
      " id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL,"
      " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL)",
      "CREATE INDEX workers_state ON workers (state)",
      // expires_at holds sortableTime(): string order is time order.
      "CREATE TABLE lablet_sessions ("
      " id TEXT PRIMARY KEY, definition_id TEXT NOT NULL, owner_id TEXT NOT NULL, state TEXT NOT NULL,"
      " worker_id TEXT NOT NULL, expires_at TEXT NOT NULL,"
      " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL)",
      "CREATE INDEX lablet_sessions_state ON lablet_sessions (state)",
      "CREATE INDEX lablet_sessions_owner ON lablet_sessions (owner_id)",
      "CREATE INDEX lablet_sessions_definition ON lablet_sessions (definition_id)",
      "CREATE INDEX lablet_sessions_worker ON lablet_sessions (worker_id)",
      "CREATE INDEX lablet_sessions_expires ON lablet_sessions (expires_at)",
      "CREATE INDEX lablet_sessions_created ON lablet_sessions (created_at, id)",
      "CREATE TABLE user_sessions ("
      " id TEXT PRIMARY KEY, lablet_session_id TEXT NOT NULL, state TEXT NOT NULL,"
      " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL)",
      "CREATE INDEX user_sessions_lablet_session ON user_sessions (lablet_session_id)",
      "CREATE TABLE grading_sessions ("
      " id TEXT PRIMARY KEY, lablet_session_id TEXT NOT NULL, state TEXT NOT NULL,"
      " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL)",
      "CREATE INDEX grading_sessions_lablet_session ON grading_sessions (lablet_session_id)",
      "CREATE TABLE score_reports ("
      " id TEXT PRIMARY KEY, lablet_session_id TEXT NOT NULL, grading_session_id TEXT NOT NULL,"
      " created_at TEXT NOT NULL, body TEXT NOT NULL)",
      "CREATE INDEX score_reports_lablet_session ON score_reports (lablet_session_id)",
      // The primary key is what makes a port impossible to hand out twice on a worker.
      "CREATE TABLE port_allocations ("
      " worker_id TEXT NOT NULL, port INTEGER NOT NULL,"
      " session_id TEXT NOT NULL REFERENCES lablet_sessions (id) ON DELETE CASCADE,"
      " annotation TEXT NOT NULL, PRIMARY KEY (worker_id, port))",
      "CREATE INDEX port_allocations_session ON port_allocations (session_id)",
      "CREATE TABLE event_log (sequence " + sequence_type +
          " PRIMARY KEY, event_id TEXT NOT NULL, source TEXT NOT NULL, type TEXT NOT NULL,"
          " subject TEXT NOT NULL, time TEXT NOT NULL, recorded_at TEXT NOT NULL, body TEXT NOT NULL)",
      "CREATE INDEX event_log_type ON event_log (type)",
      "CREATE INDEX event_log_subject ON event_log (subject)",
      // Sequences come from this row, not from BIGSERIAL: updating it locks it
      // until commit, so sequences are handed out in commit order and a rollback
      // returns its number. A reader that has seen N never misses a later
      // commit with a smaller number.
      "CREATE TABLE event_sequence (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
      "INSERT INTO event_sequence (name, value) VALUES ('event_log', 0)",
  };
}

// Ingress deduplication and each sink's delivery state.
std::vector<std::string> deliverySchema(const Dialect& dialect) {
  const std::string sequence_type(dialect.sequenceColumnType());
  return {
      "CREATE TABLE ingress_dedup (source TEXT NOT NULL, event_id TEXT NOT NULL, expires_at TEXT NOT NULL,"
      " PRIMARY KEY (source, event_id))",
      "CREATE INDEX ingress_dedup_expires ON ingress_dedup (expires_at)",
      "CREATE TABLE sink_cursors (sink TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at TEXT NOT NULL)",
      // Done events above the cursor, so a restart re-sends only what was in flight.
      "CREATE TABLE sink_delivered (sink TEXT NOT NULL, sequence BIGINT NOT NULL, PRIMARY KEY (sink, sequence))",
      "CREATE TABLE sink_retries (sink TEXT NOT NULL, sequence BIGINT NOT NULL, attempts INTEGER NOT NULL,"
      " first_error TEXT NOT NULL, first_error_at TEXT NOT NULL, last_error TEXT NOT NULL,"
      " last_error_at TEXT NOT NULL, PRIMARY KEY (sink, sequence))",
      "CREATE TABLE sink_replays (sink TEXT NOT NULL, sequence BIGINT NOT NULL, PRIMARY KEY (sink, sequence))",
      "CREATE TABLE sink_leases (sink TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at TEXT NOT NULL)",
      "CREATE TABLE dead_letters (id TEXT PRIMARY KEY, sink TEXT NOT NULL, sequence " + sequence_type +
          " NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, subject TEXT NOT NULL, attempts INTEGER NOT NULL,"
          " first_error TEXT NOT NULL, first_error_at TEXT NOT NULL, last_error TEXT NOT NULL,"
          " last_error_at TEXT NOT NULL, dead_at TEXT NOT NULL, body TEXT NOT NULL)",
      "CREATE INDEX dead_letters_sink ON dead_letters (sink, sequence)",
  };
}

// Event log retention: what it skipped per sink, and a replay's own copy of
// its event (the log may no longer have it).
std::vector<std::string> retentionSchema(const Dialect&) {
  return {
      "CREATE TABLE sink_skips (sink TEXT NOT NULL, first_sequence BIGINT NOT NULL, last_sequence BIGINT NOT NULL,"
      " events BIGINT NOT NULL, reason TEXT NOT NULL, skipped_at TEXT NOT NULL)",
      "CREATE INDEX sink_skips_sink ON sink_skips (sink, last_sequence)",
      "ALTER TABLE sink_replays ADD COLUMN body TEXT",
  };
}

// Sinks paused by an operator or by delivery.pause_after_seconds; shared by
// every replica, and kept across restarts.
std::vector<std::string> pauseSchema(const Dialect&) {
  return {
      "CREATE TABLE sink_pauses (sink TEXT PRIMARY KEY, paused_at TEXT NOT NULL, reason TEXT NOT NULL,"
      " automatic INTEGER NOT NULL)",
  };
}

// Redrives of a range of the log to a sink. The partial unique index allows
// one active redrive per sink, decided by the insert itself.
std::vector<std::string> redriveSchema(const Dialect&) {
  return {
      "CREATE TABLE sink_redrives (id TEXT PRIMARY KEY, sink TEXT NOT NULL, from_sequence BIGINT NOT NULL,"
      " to_sequence BIGINT NOT NULL, filter_json TEXT NOT NULL, position BIGINT NOT NULL, delivered BIGINT NOT NULL,"
      " failed BIGINT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
      "CREATE UNIQUE INDEX sink_redrives_active ON sink_redrives (sink) WHERE state = 'active'",
      "CREATE INDEX sink_redrives_sink ON sink_redrives (sink, created_at)",
  };
}

// The delivery attempt log (docs/delivery.md#attempt-log): one row per event,
// sink and deliver() call. The first index serves the API and the per-event
// limit, the second the age limit.
std::vector<std::string> attemptLogSchema(const Dialect&) {
  return {
      "CREATE TABLE delivery_attempts (sink TEXT NOT NULL, sequence BIGINT NOT NULL, attempt INTEGER NOT NULL,"
      " replay INTEGER NOT NULL, attempted_at TEXT NOT NULL, outcome TEXT NOT NULL, http_status INTEGER,"
      " error TEXT NOT NULL, latency_us BIGINT NOT NULL)",
      "CREATE INDEX delivery_attempts_event ON delivery_attempts (sequence, sink, attempted_at)",
      "CREATE INDEX delivery_attempts_time ON delivery_attempts (attempted_at)",
  };
}

// SQLite's deduplication keys expired in insertion (rowid) order, which is
// expiry order while the TTL stays the same, so the expiry index was
// dropped: one b-tree less to write per ingested event. (Migration 8
// replaced the table.) PostgreSQL has no insertion order to read and keeps
// it (SqlStore::forgetExpiredIngress).
std::vector<std::string> dedupExpirySchema(const Dialect& dialect) {
  if (dialect.driver() != StoreDriver::Sqlite) return {};
  return {"DROP INDEX ingress_dedup_expires"};
}

// SQLite keeps deduplication keys in generations, one b-tree a key
// (store/sqlite_dedup_generations.hpp); the keys kept go into generation 1,
// which lasts until the latest of them expires. PostgreSQL keeps its table.
std::vector<std::string> dedupGenerationsSchema(const Dialect& dialect) {
  if (dialect.driver() != StoreDriver::Sqlite) return {};
  return {
      // A sweep is under way while sweep_below > swept_below: it deletes the
      // keys of generations below sweep_below, and has passed every key up
      // to (sweep_after_source, sweep_after_event_id); '' is before them all.
      "CREATE TABLE ingress_dedup_generations (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL,"
      " current_expires_by TEXT NOT NULL, previous_expires_by TEXT NOT NULL, swept_below INTEGER NOT NULL,"
      " sweep_below INTEGER NOT NULL, sweep_after_source TEXT NOT NULL, sweep_after_event_id TEXT NOT NULL)",
      "INSERT INTO ingress_dedup_generations VALUES"
      " (1, 1, COALESCE((SELECT MAX(expires_at) FROM ingress_dedup), ''), '', 1, 1, '', '')",
      "CREATE TABLE ingress_dedup_keys (source TEXT NOT NULL, event_id TEXT NOT NULL, generation INTEGER NOT NULL,"
      " PRIMARY KEY (source, event_id)) WITHOUT ROWID",
      "INSERT INTO ingress_dedup_keys (source, event_id, generation) SELECT source, event_id, 1 FROM ingress_dedup",
      "DROP TABLE ingress_dedup",
      "ALTER TABLE ingress_dedup_keys RENAME TO ingress_dedup",
  };
}

// Migration N is entry N - 1; append only.
constexpr std::array<std::vector<std::string> (*)(const Dialect&), 8> kMigrations{
    &initialSchema,      // 1: aggregates, port allocations, the event log
    &deliverySchema,     // 2: ingress dedup, sink cursors, retries, replays, leases, dead letters
    &retentionSchema,    // 3: retention skips, replays that carry their event
    &pauseSchema,        // 4: paused sinks
    &redriveSchema,      // 5: redrives
    &attemptLogSchema,   // 6: the delivery attempt log
    &dedupExpirySchema,       // 7: SQLite: no expiry index on ingress_dedup
    &dedupGenerationsSchema,  // 8: SQLite: deduplication keys in generations
};

}  // namespace

std::vector<Migration> migrations(const Dialect& dialect) {
  std::vector<Migration> all;
  for (std::size_t i = 0; i < kMigrations.size(); ++i)
    all.push_back({static_cast<int>(i + 1), kMigrations[i](dialect)});
  return all;
}

int latestSchemaVersion() {
  return static_cast<int>(kMigrations.size());
}

int applyMigrations(Poco::Data::Session& session, const Dialect& dialect) {
  dialect.begin(session);
  try {
    for (const auto& statement : dialect.migrationLock()) run(session, dialect, statement);
    run(session, dialect,
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    std::int64_t current = queryInteger(session, dialect, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (current > latestSchemaVersion()) {
      throw StoreError(dialect.description() + " has schema version " + std::to_string(current) +
                       ", newer than this ccm-gateway understands (" + std::to_string(latestSchemaVersion()) +
                       "); run a ccm-gateway release that knows version " + std::to_string(current));
    }
    for (const auto& migration : migrations(dialect)) {
      if (migration.version <= current) continue;
      for (const auto& statement : migration.statements) run(session, dialect, statement);
      run(session, dialect, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
          {std::int64_t{migration.version}, sdk::formatRfc3339(std::chrono::system_clock::now())});
      current = migration.version;
    }
    dialect.commit(session);
    return static_cast<int>(current);
  } catch (...) {
    try {
      dialect.rollback(session);
    } catch (...) {
      // The first failure is the one worth reporting.
    }
    throw;
  }
}

}  // namespace ccm::core
