#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/connection_pool.hpp"
#include "store/dialect.hpp"
#include "store/durable_sequence.hpp"
#include "store/store.hpp"

namespace ccm::core {

// A Transaction on one pooled connection; begins on construction. Not
// thread-safe (one per request), like the interface says.
class SqlTransaction final : public Transaction {
public:
  // `writer` is held (SQLite) until commit or rollback. The commit tells
  // `durable` where its events end; `synced`: whether it waits for the disk.
  // `statements` (SQLite, may be null): where the connection's statements for
  // beginning, ending and writing events and ingress keys are kept prepared.
  SqlTransaction(const Dialect& dialect, std::unique_lock<std::mutex> writer,
                 std::unique_ptr<ConnectionPool::Lease> lease, DurableSequence& durable, bool synced,
                 SqliteStatementCache* statements = nullptr);
  ~SqlTransaction() override;  // rolls back unless committed

  std::optional<LabletDefinition> findDefinition(const std::string& id) override;
  std::vector<LabletDefinition> listDefinitions(std::size_t limit, std::size_t offset) override;
  void saveDefinition(const LabletDefinition& definition) override;
  void addDefinitionVersion(const DefinitionVersion& version) override;
  std::vector<DefinitionVersion> definitionVersions(const std::string& definition_id) override;

  std::optional<Worker> findWorker(const std::string& id, bool lock) override;
  std::vector<Worker> listWorkers(std::size_t limit, std::size_t offset) override;
  void saveWorker(const Worker& worker) override;

  std::optional<LabletSession> findSession(const std::string& id, bool lock) override;
  std::vector<LabletSession> listSessions(const SessionFilter& filter) override;
  void saveSession(const LabletSession& session) override;

  std::optional<UserSession> findUserSession(const std::string& id) override;
  void saveUserSession(const UserSession& user_session) override;
  std::optional<GradingSession> findGradingSession(const std::string& id) override;
  void saveGradingSession(const GradingSession& grading_session) override;
  std::optional<ScoreReport> findScoreReport(const std::string& id) override;
  void saveScoreReport(const ScoreReport& report) override;
  std::optional<SinkPause> findSinkPause(const std::string& sink) override;
  bool insertSinkPause(const SinkPause& pause) override;
  std::optional<SinkPause> deleteSinkPause(const std::string& sink) override;

  void appendRecord(EventRecord record) override;
  std::vector<bool> rememberIngress(const std::vector<IngressKey>& keys) override;
  void forgetIngress(const std::vector<IngressKey>& keys) override;
  void savepoint(const std::string& name) override;
  void rollbackTo(const std::string& name) override;
  void release(const std::string& name) override;

  void commit() override;

private:
  // The connection, or StoreError once the transaction has ended.
  Poco::Data::Session& session();
  void savePortAllocations(const LabletSession& session);
  // Numbers the appended events and writes them, many rows a statement.
  void writeEvents();

  struct Savepoint {
    std::string name;
    std::size_t pending_events;  // how many were appended when it was set
  };

  const Dialect& dialect_;
  std::unique_lock<std::mutex> writer_;
  std::unique_ptr<ConnectionPool::Lease> lease_;
  std::vector<EventRecord> pending_events_;  // written at commit
  std::vector<Savepoint> savepoints_;
  DurableSequence& durable_;
  const bool synced_;
  SqliteStatementCache* statements_;
  std::int64_t last_sequence_ = 0;  // of the events written, once written
  bool ended_ = false;
};

}  // namespace ccm::core
