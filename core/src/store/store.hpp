#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "domain/aggregates.hpp"
#include "store/event_record.hpp"
#include "store/sink_redrive.hpp"

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
  std::string recorded_at;  // when it was committed to the log
};

// A failing event's retry history at one sink.
struct RetryRecord {
  std::int64_t sequence = 0;
  int attempts = 0;
  std::string first_error;
  std::string first_error_at;
  std::string last_error;
  std::string last_error_at;
};

// An event a sink gave up on (permanent failure, or past max attempts/age).
struct DeadLetter {
  std::string id;
  std::string sink;
  std::int64_t sequence = 0;
  sdk::CloudEvent event;
  int attempts = 0;
  std::string first_error;
  std::string first_error_at;
  std::string last_error;
  std::string last_error_at;
  std::string dead_at;
};

struct DeadLetterFilter {
  std::string id;         // exact; empty = all
  std::string sink;       // exact; empty = all
  std::string type_glob;  // '*' matches any run; empty = all
  std::string subject;    // exact; empty = all
  std::size_t limit = 100;
  std::size_t offset = 0;
};

// What a sink's dispatcher knows after a restart: every event up to `cursor`
// is done; `delivered_above` lists done events beyond it (other subjects went
// on while one was failing); `retries` the failing ones. Replays requested by
// an operator are read separately (Store::sinkReplays).
// An operator's request to deliver an event to a sink again, with the event:
// from the log, or the dead letter's own copy once retention deleted it
// (nullopt when neither is left).
struct ReplayRequest {
  std::int64_t sequence = 0;
  std::optional<StoredEvent> stored;
};

// A sink's delivery state as every replica sees it in the store.
struct SharedSinkState {
  std::int64_t cursor = 0;
  std::string lease_owner;  // "" when no replica holds an unexpired lease
};

struct SinkProgress {
  std::int64_t cursor = 0;
  std::vector<std::int64_t> delivered_above;
  std::vector<RetryRecord> retries;
};

// One event's outcome of one deliver() call: a row of the attempt log
// (table delivery_attempts, docs/delivery.md#attempt-log).
struct DeliveryAttempt {
  std::string sink;
  std::int64_t sequence = 0;
  int attempt = 1;                 // the retry policy's count for the event, from 1
  bool replay = false;             // a replayed dead letter (its count starts again at 1)
  std::string attempted_at;        // RFC 3339, when deliver() was called
  std::string outcome;             // "delivered", "retryable" or "permanent"
  std::optional<int> http_status;  // the receiver's status, when the sink reported one
  std::string error;               // the outcome's message (bounded); "" when delivered
  std::int64_t latency_us = 0;     // the deliver() call's duration (the whole batch's)
};

struct DeliveryAttemptQuery {
  std::int64_t sequence = 0;
  std::string sink;  // exact; empty = all
  std::size_t limit = 100;
  std::size_t offset = 0;
};

// One batch's results at one sink, applied in one transaction.
struct DeliveryUpdate {
  std::string sink;
  std::int64_t cursor = -1;                // new cursor; -1 keeps it
  std::vector<std::int64_t> delivered;     // done events above the new cursor
  std::vector<RetryRecord> retries;        // failing events (inserted or updated)
  std::vector<std::int64_t> retries_done;  // no longer failing (delivered or dead)
  std::vector<DeadLetter> dead;            // newly dead-lettered
  std::vector<std::int64_t> replays_done;  // replays that reached an outcome
  std::vector<RedriveProgress> redrives;   // redrive positions and counts (store/sink_redrive.hpp)
  std::vector<DeliveryAttempt> attempts;   // the attempt log's new rows (their sink is this update's)
};

// An inbound event's identity for deduplication, remembered until expires_at
// (RFC 3339).
struct IngressKey {
  std::string source;
  std::string id;
  std::string expires_at;
};

struct EventQuery {
  std::int64_t after = 0;  // only events with a greater sequence
  std::string type_glob;   // '*' matches any run of characters; empty = all
  std::string subject;     // exact; empty = all
  std::size_t limit = 100;
};

// What the event log's retention may delete in one pass (store.retention,
// docs/configuration.md); the caller turns ages into times.
struct RetentionLimits {
  std::optional<std::int64_t> max_events;  // keep at most the newest N sequences
  std::optional<std::int64_t> max_bytes;   // keep the rows' bytes under N (estimated from the newest rows)
  std::string recorded_before;             // older events are over the age limit ("" = none)
  std::string force_recorded_before;       // older events go even if a consumer has not passed them ("" = never)
  std::size_t batch_size = 1000;
};

// Events retention deleted before `sink` passed them (forced by age).
struct SkippedEvents {
  std::string sink;
  std::int64_t first_sequence = 0;
  std::int64_t last_sequence = 0;
  std::int64_t events = 0;
  std::string skipped_at;
};

struct RetentionPass {
  std::int64_t deleted = 0;
  std::vector<SkippedEvents> skipped;  // one per sink behind the deleted range
  bool more = false;                   // the batch was full: another pass may delete more
};

// One bounded pass over expired ingress deduplication keys.
struct ExpiredKeysPass {
  std::size_t forgotten = 0;
  bool more = false;  // work is left that another pass may do
  bool late = false;  // and some of it is overdue: keys are kept longer than they should be
};

struct FileSpace {
  std::int64_t pages = 0;       // the database file's
  std::int64_t free_pages = 0;  // of them, on the free list
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

  // Paused sinks. insertSinkPause is false (and changes nothing) when the
  // sink is paused already; deleteSinkPause returns the pause it ended.
  // Both decide in one statement, so two replicas cannot both pause or resume.
  virtual std::optional<SinkPause> findSinkPause(const std::string& sink) = 0;
  virtual bool insertSinkPause(const SinkPause& pause) = 0;
  virtual std::optional<SinkPause> deleteSinkPause(const std::string& sink) = 0;

  // Appends to the event log (the outbox). The event is written at commit,
  // when the transaction's events get their sequences, in append order: the
  // sequence row is locked only while a transaction commits, so concurrent
  // writers (PostgreSQL replicas) serialise on their commits alone.
  virtual void appendRecord(EventRecord record) = 0;
  // Validates and appends `event`; StoreError when it breaks the spec.
  void appendEvent(const sdk::CloudEvent& event) { appendRecord(EventRecord::of(event)); }

  // Ingress deduplication (Phase 4 task 4.6): remembers every (source, id)
  // until its `expires_at`, in one pass (PostgreSQL: one statement, the keys as
  // arrays; SQLite: one prepared statement stepped per key). One flag per key: true where
  // this call remembered it, false for a duplicate (remembered before, or an
  // earlier key of the same call).
  virtual std::vector<bool> rememberIngress(const std::vector<IngressKey>& keys) = 0;
  // Forgets keys this transaction remembered (a refused request's, so that a
  // corrected retry is not taken for a duplicate).
  virtual void forgetIngress(const std::vector<IngressKey>& keys) = 0;

  // Nested scopes inside the transaction, so one part of a group commit can
  // be undone without the rest (SQL SAVEPOINT / ROLLBACK TO / RELEASE).
  virtual void savepoint(const std::string& name) = 0;
  virtual void rollbackTo(const std::string& name) = 0;
  virtual void release(const std::string& name) = 0;

  virtual void commit() = 0;
};

// The durable store: SQLite (embedded default) or PostgreSQL, same schema.
// Thread-safe; begin() may be called from many threads.
class Store {
public:
  virtual ~Store() = default;
  virtual std::unique_ptr<Transaction> begin() = 0;
  // Like begin(), but its commit does not wait for the disk: what it changed
  // is visible to transactions at once, and durable after the next
  // syncCommits(), which later commits may overlap; its events reach
  // readEvents() and lastSequence() only then. For a committer that answers
  // nobody before syncCommits() (the ingress group commit). Where commits are
  // not deferred (PostgreSQL; SQLite with synchronous = normal), begin().
  virtual std::unique_ptr<Transaction> beginWithoutSync() { return begin(); }
  // Makes every commit made before the call durable.
  virtual void syncCommits() {}
  // Event log reads: only durable events (see beginWithoutSync).
  virtual std::vector<StoredEvent> readEvents(const EventQuery& query) = 0;
  virtual std::int64_t lastSequence() = 0;
  // The applied schema version (migrations are applied on open).
  virtual int schemaVersion() = 0;
  // One event by sequence (std::nullopt when absent).
  virtual std::optional<StoredEvent> readEvent(std::int64_t sequence) = 0;

  // Forgets remembered ingress ids that expired before `now`, in one
  // bounded transaction: at most `limit` keys deleted (PostgreSQL) or looked
  // at (SQLite, store/sqlite_dedup_generations.hpp).
  virtual ExpiredKeysPass forgetExpiredIngress(const std::string& now, std::size_t limit = 10000) = 0;

  // Event log retention: deletes the oldest events over `limits`, at most one
  // batch, oldest first, stopping at the first event one of `consumers` (sink
  // names) has not passed unless it is older than the force limit; those
  // skips are recorded per sink (sinkSkips). Off the commit path.
  virtual RetentionPass pruneEventLog(const RetentionLimits& limits, const std::vector<std::string>& consumers) = 0;
  // The oldest sequence still in the log (lastSequence() + 1 when it is empty).
  virtual std::int64_t firstSequence() = 0;
  // What retention skipped for `sink`, newest first, one page.
  virtual std::vector<SkippedEvents> sinkSkips(const std::string& sink, std::size_t limit, std::size_t offset) = 0;
  // How long the calling thread's last write by a method of this interface
  // that runs its own transaction (a retention batch, say; not one begun
  // with begin()) held the store's one writer (SQLite), from taking it to letting it go;
  // zero where writers do not wait for each other (PostgreSQL). Retention
  // sizes its batches by it: the wait for the writer does not count.
  virtual std::chrono::steady_clock::duration lastWriteHeld() const = 0;
  // The database file's pages, and how many of them are free (SQLite; both 0
  // on PostgreSQL, whose autovacuum makes deleted rows' space reusable).
  virtual FileSpace fileSpace() = 0;
  // Gives up to `pages` free pages back to the file system in one short
  // transaction (SQLite incremental vacuum); returns how many. Nothing on
  // PostgreSQL.
  virtual std::int64_t releaseFreePages(std::int64_t pages) = 0;

  // Delivery state per sink (the dispatcher's durable memory). A sink seen for
  // the first time starts with cursor `start_if_new`.
  virtual SinkProgress loadSinkProgress(const std::string& sink, std::int64_t start_if_new) = 0;
  virtual void applyDelivery(const DeliveryUpdate& update) = 0;
  // Sequences an operator asked `sink` to deliver again (a plain read).
  virtual std::vector<ReplayRequest> sinkReplays(const std::string& sink) = 0;
  // Takes or renews `sink`'s lease for `owner` until `expires_at`; false when
  // another owner holds an unexpired lease (another replica delivers it).
  virtual bool acquireSinkLease(const std::string& sink, const std::string& owner, const std::string& now,
                                const std::string& expires_at) = 0;
  virtual void releaseSinkLease(const std::string& sink, const std::string& owner) = 0;
  // The stored cursor and the lease (a plain read: a standby's status).
  virtual SharedSinkState sharedSinkState(const std::string& sink) = 0;
  // The pause in force for `sink`, if any (a plain read, polled by every replica).
  virtual std::optional<SinkPause> sinkPause(const std::string& sink) = 0;

  // Redrives (docs/delivery.md#redrive; store/sql_redrive.cpp). startRedrive
  // stores `redrive` as its sink's active one, or is false (and stores
  // nothing) when the sink has an active redrive already: one statement, so
  // two replicas cannot both start one.
  virtual bool startRedrive(const SinkRedrive& redrive) = 0;
  // `sink`'s active redrive, if any (a plain read, polled by the sink's dispatcher).
  virtual std::optional<SinkRedrive> activeRedrive(const std::string& sink) = 0;
  virtual std::optional<SinkRedrive> findRedrive(const std::string& sink, const std::string& id) = 0;
  // `sink`'s redrives, newest first.
  virtual std::vector<SinkRedrive> listRedrives(const std::string& sink, std::size_t limit, std::size_t offset) = 0;
  // Cancels the redrive if it is active; the redrive as it is afterwards
  // (std::nullopt when `sink` has none with that id).
  virtual std::optional<SinkRedrive> cancelRedrive(const std::string& sink, const std::string& id,
                                                   const std::string& now) = 0;
  // The first sequence recorded (committed) after `time`, or at it too when
  // `inclusive`; lastSequence() + 1 when there is none. A binary search over
  // sequences (recorded_at follows commit order), not a scan of the log.
  virtual std::int64_t firstSequenceRecorded(std::chrono::system_clock::time_point time, bool inclusive) = 0;

  virtual std::vector<DeadLetter> listDeadLetters(const DeadLetterFilter& filter) = 0;
  // Moves the matching dead letters back to their sinks' queues; returns how many.
  virtual std::size_t replayDeadLetters(const DeadLetterFilter& filter) = 0;
  // Deletes the matching dead letters; returns how many.
  virtual std::size_t purgeDeadLetters(const DeadLetterFilter& filter) = 0;

  // The attempt log. applyDelivery writes its rows and keeps at most the
  // newest store.retention.attempt_log.max_attempts_per_event per event and
  // sink. deliveryAttempts reads one event's, newest first (a plain read);
  // pruneDeliveryAttempts deletes, oldest first, at most `limit` made before
  // `attempted_before` (RFC 3339) in one bounded transaction and returns how many.
  virtual std::vector<DeliveryAttempt> deliveryAttempts(const DeliveryAttemptQuery& query) = 0;
  virtual std::size_t pruneDeliveryAttempts(const std::string& attempted_before, std::size_t limit) = 0;
};

}  // namespace ccm::core
