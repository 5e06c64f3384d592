#include "store/sql_store.hpp"

#include <algorithm>

#include "ccm/sdk/codec.hpp"
#include "store/migrations.hpp"
#include "store/sql_statement.hpp"
#include "store/sql_transaction.hpp"

namespace ccm::core {
namespace {

using Poco::Data::Keywords::into;

constexpr std::size_t kMaxEventsPerRead = 1000;
}  // namespace

SqlStore::SqlStore(Dialect dialect, int pool_size, std::chrono::milliseconds connection_wait,
                   std::size_t attempts_per_event)
    : dialect_(std::move(dialect)),
      checkpointer_(SqliteCheckpointer::Options{}),
      pool_(dialect_, pool_size, connection_wait,
            [this](Poco::Data::Session& session) {
              if (dialect_.driver() == StoreDriver::Sqlite) checkpointer_.watch(session);
            }),
      durable_(DurableSequence::of(dialect_.deferrableSyncLog())),
      attempts_per_event_(std::max<std::size_t>(1, attempts_per_event)) {
  if (durable_->limited()) {
    unsynced_pool_ =
        std::make_unique<ConnectionPool>(dialect_, 1, connection_wait, [this](Poco::Data::Session& session) {
          checkpointer_.watch(session);
          run(session, dialect_, "PRAGMA synchronous = NORMAL");
        });
  }
}

SqlStore::~SqlStore() {
  checkpointer_.stop();
}

void SqlStore::migrate() {
  auto lease = pool_.acquire();
  guarded("opening " + dialect_.description(), [&] {
    dialect_.prepareDatabase(lease->session());
    applyMigrations(lease->session(), dialect_);
  });
  if (dialect_.driver() == StoreDriver::Sqlite) checkpointer_.start(pool_);
  durable_->open(storedLastSequence());
}

namespace {
// Per thread: each retention or ingest thread reads its own last write.
thread_local std::chrono::steady_clock::duration last_write_held{};
}  // namespace

SqlStore::WriteTimer::WriteTimer() : started(std::chrono::steady_clock::now()) {}

SqlStore::WriteTimer::~WriteTimer() {
  last_write_held = std::chrono::steady_clock::now() - started;
}

std::chrono::steady_clock::duration SqlStore::lastWriteHeld() const {
  return dialect_.singleWriter() ? last_write_held : std::chrono::steady_clock::duration::zero();
}

std::unique_lock<std::mutex> SqlStore::writerLock() {
  return dialect_.singleWriter() ? std::unique_lock<std::mutex>(writer_) : std::unique_lock<std::mutex>();
}

std::unique_ptr<Transaction> SqlStore::begin() {
  auto writer = writerLock();  // before taking a connection, so waiting holds none
  return std::make_unique<SqlTransaction>(dialect_, std::move(writer), pool_.acquire(), *durable_, true);
}

std::unique_ptr<Transaction> SqlStore::beginWithoutSync() {
  if (!unsynced_pool_) return begin();
  auto writer = writerLock();
  return std::make_unique<SqlTransaction>(dialect_, std::move(writer), unsynced_pool_->acquire(), *durable_, false,
                                          &unsynced_statements_);
}

void SqlStore::syncCommits() {
  durable_->sync();
}

std::vector<StoredEvent> SqlStore::readEvents(const EventQuery& query) {
  const std::size_t limit = std::min(query.limit, kMaxEventsPerRead);
  if (limit == 0) return {};
  return guarded("readEvents from event_log after " + std::to_string(query.after), [&] {
    std::string sql = "SELECT sequence, recorded_at, body FROM event_log WHERE sequence > ? AND sequence <= ?";
    std::vector<SqlValue> params{query.after, durable_->durable()};
    if (!query.type_glob.empty()) {
      auto [condition, pattern] = dialect_.globMatch("type", query.type_glob);
      sql += " AND " + condition;
      params.emplace_back(std::move(pattern));
    }
    if (!query.subject.empty()) {
      sql += " AND subject = ?";
      params.emplace_back(query.subject);
    }
    sql += " ORDER BY sequence LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(limit));

    auto lease = pool_.acquire();
    std::vector<Poco::Int64> sequences;
    std::vector<std::string> recorded;
    std::vector<std::string> bodies;
    auto statement = prepare(lease->session(), dialect_, sql, params);
    statement, into(sequences), into(recorded), into(bodies);
    statement.execute();

    std::vector<StoredEvent> events;
    events.reserve(sequences.size());
    for (std::size_t i = 0; i < sequences.size(); ++i) {
      auto event = sdk::parseStructured(bodies[i]);
      if (!event) {
        throw StoreError("event_log sequence " + std::to_string(sequences[i]) +
                         ": stored body is not a valid CloudEvent: " + event.error().message);
      }
      events.push_back({sequences[i], std::move(event.value()), recorded[i]});
    }
    return events;
  });
}

std::int64_t SqlStore::lastSequence() {
  return std::min(storedLastSequence(), durable_->durable());
}

std::int64_t SqlStore::storedLastSequence() {
  return guarded("lastSequence of event_log", [&] {
    auto lease = pool_.acquire();
    return queryInteger(lease->session(), dialect_, "SELECT value FROM event_sequence WHERE name = 'event_log'");
  });
}

int SqlStore::schemaVersion() {
  return guarded("schemaVersion from schema_migrations", [&] {
    auto lease = pool_.acquire();
    return static_cast<int>(
        queryInteger(lease->session(), dialect_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  });
}

}  // namespace ccm::core
