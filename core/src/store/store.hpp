#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "engine/aggregates.hpp"

namespace ccm::core {

// Raised for a store failure the caller cannot handle (connection lost, disk
// full, constraint broken). The API turns it into a 503/500 problem; the
// transaction has been rolled back and nothing was applied.
class StoreError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct SessionFilter {
  std::vector<SessionState> states;  // any of these; empty = all
  std::string owner_id;
  std::string definition_id;
  std::string worker_id;
  std::string expires_before;  // RFC 3339; sessions whose expires_at is earlier
  std::size_t limit = 100;
  std::size_t offset = 0;
};

struct StoredEvent {
  std::int64_t sequence = 0;  // monotonic, gap-free within one store
  sdk::CloudEvent event;
};

struct EventQuery {
  std::int64_t after = 0;   // only events with a greater sequence
  std::string type_glob;    // '*' matches any run of characters; empty = all
  std::string subject;      // exact; empty = all
  std::size_t limit = 100;
};

// One database transaction. Reads see the transaction's own writes. Not
// thread-safe: one per request. Destroying it without commit() rolls back.
// Every method may throw StoreError.
class Transaction {
public:
  virtual ~Transaction() = default;

  virtual std::optional<LabletDefinition> findDefinition(const std::string& id) = 0;
  virtual std::vector<LabletDefinition> listDefinitions(std::size_t limit, std::size_t offset) = 0;
  virtual void saveDefinition(const LabletDefinition& definition) = 0;  // insert or replace
  virtual void addDefinitionVersion(const DefinitionVersion& version) = 0;
  virtual std::vector<DefinitionVersion> definitionVersions(const std::string& definition_id) = 0;

  // `lock` takes a row lock (FOR UPDATE on PostgreSQL) for read-modify-write.
  virtual std::optional<Worker> findWorker(const std::string& id, bool lock = false) = 0;
  virtual std::vector<Worker> listWorkers(std::size_t limit, std::size_t offset) = 0;
  virtual void saveWorker(const Worker& worker) = 0;

  virtual std::optional<LabletSession> findSession(const std::string& id, bool lock = false) = 0;
  virtual std::vector<LabletSession> listSessions(const SessionFilter& filter) = 0;
  virtual void saveSession(const LabletSession& session) = 0;

  virtual std::optional<UserSession> findUserSession(const std::string& id) = 0;
  virtual void saveUserSession(const UserSession& user_session) = 0;
  virtual std::optional<GradingSession> findGradingSession(const std::string& id) = 0;
  virtual void saveGradingSession(const GradingSession& grading_session) = 0;
  virtual std::optional<ScoreReport> findScoreReport(const std::string& id) = 0;
  virtual void saveScoreReport(const ScoreReport& report) = 0;

  // Appends to the event log (the outbox); returns the event's sequence.
  virtual std::int64_t appendEvent(const sdk::CloudEvent& event) = 0;

  virtual void commit() = 0;
};

// The durable store: SQLite (embedded default) or PostgreSQL, same schema.
// Thread-safe; begin() may be called from many threads.
class Store {
public:
  virtual ~Store() = default;
  virtual std::unique_ptr<Transaction> begin() = 0;
  virtual std::vector<StoredEvent> readEvents(const EventQuery& query) = 0;
  virtual std::int64_t lastSequence() = 0;
  // The applied schema version (migrations are applied on open).
  virtual int schemaVersion() = 0;
};

}  // namespace ccm::core
