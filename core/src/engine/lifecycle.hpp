#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/time.hpp"
#include "domain/aggregates.hpp"
#include "domain/domain_event.hpp"
#include "domain/error.hpp"
#include "engine/cloud_event_converter.hpp"
#include "engine/ingress_committer.hpp"
#include "engine/unit_of_work.hpp"
#include "store/store.hpp"

namespace ccm::core {

struct EngineSettings {
  std::int64_t session_ttl_seconds = 4 * 3600;  // when a definition sets none
};

struct DefinitionSpec {
  std::string name;
  std::string lab_yaml;
  std::string pod_settings = "{}";
  std::int64_t max_duration_seconds = 0;
};

struct SessionSpec {
  std::string definition_id;
  std::string owner_id;
};

struct WorkerSpec {
  std::string name;
  std::string template_name;
  std::string public_address;
  std::string private_address;
  std::uint16_t port_range_start = 5000;
  std::uint16_t port_range_end = 5999;
  int capacity = 10;
};

// The lifecycle engine's commands. Each runs in one store transaction: the
// aggregate change and the CloudEvents it causes are committed together
// (transactional outbox), and nothing is published inline. The events a
// command records carry `trace`, the trace context of the call that caused
// it, as extension attributes (engine/unit_of_work.hpp). Thread-safe; the
// store's row locks serialise commands on the same aggregate.
// A StoreError escapes as an exception (nothing was applied).
class Lifecycle {
public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  using IdSource = std::function<std::string()>;

  Lifecycle(Store& store, CloudEventConverter converter, EngineSettings settings, Clock now, IdSource new_id);
  ~Lifecycle() = default;  // ingress_ goes first: its committing thread ends
  Lifecycle(const Lifecycle&) = delete;
  Lifecycle& operator=(const Lifecycle&) = delete;

  Expected<LabletDefinition> createDefinition(const DefinitionSpec& spec, const EventTrace& trace = std::nullopt);
  Expected<LabletDefinition> addDefinitionVersion(const std::string& definition_id, const DefinitionSpec& spec,
                                                  const EventTrace& trace = std::nullopt);

  Expected<Worker> createWorker(const WorkerSpec& spec, const EventTrace& trace = std::nullopt);
  Expected<Worker> transitionWorker(const std::string& worker_id, WorkerState to, const std::string& reason = {},
                                    const EventTrace& trace = std::nullopt);
  // Scale-up creates a pending worker from a template (ccm.scaling.up.requested);
  // ccm.scaling.up.completed follows when it runs. Scale-down drains a worker
  // (ccm.scaling.down.requested); ccm.scaling.down.completed follows when it
  // is terminated.
  Expected<Worker> requestScaleUp(const WorkerSpec& spec, const std::string& reason,
                                  const EventTrace& trace = std::nullopt);
  Expected<Worker> requestScaleDown(const std::string& worker_id, const std::string& reason,
                                    const EventTrace& trace = std::nullopt);

  Expected<LabletSession> createSession(const SessionSpec& spec, const EventTrace& trace = std::nullopt);
  Expected<LabletSession> scheduleSession(const std::string& session_id, const std::string& worker_id,
                                          const EventTrace& trace = std::nullopt);
  Expected<LabletSession> instantiateSession(const std::string& session_id, const std::string& cml_lab_id,
                                             const EventTrace& trace = std::nullopt);
  // Ready also provisions the UserSession (ccm.lablet.user_session.created).
  Expected<LabletSession> markReady(const std::string& session_id, const std::string& login_url,
                                    const EventTrace& trace = std::nullopt);
  Expected<LabletSession> markRunning(const std::string& session_id, const EventTrace& trace = std::nullopt);
  // Collecting creates the GradingSession (ccm.lablet.grading_session.created).
  Expected<LabletSession> startCollecting(const std::string& session_id, const EventTrace& trace = std::nullopt);
  Expected<LabletSession> startGrading(const std::string& session_id, const EventTrace& trace = std::nullopt);
  // Creates the ScoreReport and moves grading -> graded.
  Expected<LabletSession> recordScore(const std::string& session_id, double score, bool passed,
                                      const std::string& report_id, const EventTrace& trace = std::nullopt);

  // One transaction's work (engine/unit_of_work.hpp): the commands inbound
  // events run take the ingress group's, passed to their IngressApply.
  using UnitOfWork = core::UnitOfWork;
  // The same commands, inside `uow`'s transaction.
  Expected<LabletSession> markRunning(UnitOfWork& uow, const std::string& session_id);
  Expected<LabletSession> startCollecting(UnitOfWork& uow, const std::string& session_id);
  Expected<LabletSession> startGrading(UnitOfWork& uow, const std::string& session_id);
  Expected<LabletSession> recordScore(UnitOfWork& uow, const std::string& session_id, double score, bool passed,
                                      const std::string& report_id);
  Expected<LabletSession> stopSession(const std::string& session_id, std::optional<FinalState> final_state,
                                      const std::string& reason = {}, const EventTrace& trace = std::nullopt);
  Expected<LabletSession> markStopped(const std::string& session_id, const EventTrace& trace = std::nullopt);
  Expected<LabletSession> terminateSession(const std::string& session_id, const EventTrace& trace = std::nullopt);
  // Records an integration failure (e.g. the Assessment Platform refused a
  // call) in the session's `error` for operators; no state change, no event.
  Expected<LabletSession> recordError(const std::string& session_id, const std::string& error);

  // Inbound events (as the SDK codec parsed, and so validated, them), in
  // the ingress group commit (engine/ingress_committer.hpp): `apply(uow, i)`
  // runs the UnitOfWork forms of the commands above for event i.
  using IngressResult = core::IngressResult;
  using IngressResults = core::IngressResults;
  using IngressApply = core::IngressApply;
  using IngressDone = core::IngressDone;
  IngressResults applyIngressBatch(const std::vector<sdk::CloudEvent>& events, const std::string& dedup_until,
                                   bool refusable, const IngressApply& apply) {
    return ingress_.apply(events, dedup_until, refusable, apply);
  }
  void submitIngressBatch(const std::vector<sdk::CloudEvent>& events, std::string dedup_until, bool refusable,
                          IngressApply apply, IngressDone done) {
    ingress_.submit(events, std::move(dedup_until), refusable, std::move(apply), std::move(done));
  }
  // See IngressCommitter::stop().
  void stopIngress() { ingress_.stop(); }
  // The session, read with a row lock in `uow`'s transaction, so a decision
  // taken on its state holds until commit. 404 when it does not exist.
  // (engine/session_commands.cpp)
  Expected<LabletSession> lockSession(UnitOfWork& uow, const std::string& session_id);
  // grading.session.failed: the GradingSession (when there is one) -> FAULTED
  // with `reason`, and the session stops with final_state FAULTED.
  // (engine/grading_commands.cpp)
  Expected<LabletSession> failGrading(const std::string& session_id, const std::string& reason);
  Expected<LabletSession> failGrading(UnitOfWork& uow, const std::string& session_id, const std::string& reason);

  // Pauses delivery to `sink` (docs/delivery.md, Pause and resume) with
  // ccm.gateway.sink.paused; a sink already paused keeps its pause, and no
  // event is added. Returns the pause in force. The caller checks that the sink exists.
  // (engine/sink_commands.cpp)
  Expected<SinkPause> pauseSink(const std::string& sink, const std::string& reason, bool automatic,
                                const EventTrace& trace = std::nullopt);
  // Ends the pause with ccm.gateway.sink.resumed; the pause that ended, or
  // std::nullopt when the sink was not paused (nothing changes).
  Expected<std::optional<SinkPause>> resumeSink(const std::string& sink, const EventTrace& trace = std::nullopt);

  // Called after every commit that appended events (for example to wake the
  // dispatchers). Set once, before commands run.
  void setCommitListener(std::function<void()> listener) { on_commit_ = std::move(listener); }

  // One reconciliation pass, driven from the store so it survives restarts:
  // sessions past their TTL stop with EXPIRED; graded sessions stop with
  // COMPLETED; sessions stopping with COMPLETED or EXPIRED go on to stopped
  // and terminated (002 task 4.9: auto-stop after grading). Returns how many
  // sessions changed.
  int reconcile();

private:
  template <class T>
  Expected<T> inTransaction(const EventTrace& trace, const std::function<Expected<T>(UnitOfWork&)>& work);
  Expected<LabletSession> moveSession(UnitOfWork& uow, const std::string& session_id, SessionState to,
                                      std::optional<FinalState> final_state = std::nullopt,
                                      const std::function<void(LabletSession&)>& change = {},
                                      const ScoreReport* score_report = nullptr);
  Worker insertWorker(UnitOfWork& uow, std::string id, const WorkerSpec& spec, const std::string& scaling);
  Expected<Worker> moveWorker(UnitOfWork& uow, const std::string& worker_id, WorkerState to, const std::string& reason);

  std::string nowText() const { return sdk::formatRfc3339(now_()); }

  Store& store_;
  std::function<void()> on_commit_;
  void committed();  // tells on_commit_
  CloudEventConverter converter_;
  EngineSettings settings_;
  Clock now_;
  IdSource new_id_;
  IngressCommitter ingress_;  // last: its committing thread ends before the rest goes
};

}  // namespace ccm::core
