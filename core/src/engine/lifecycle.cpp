#include "engine/lifecycle.hpp"

#include <ctime>

#include <Poco/Logger.h>

#include "ccm/sdk/smart_annotations.hpp"
#include "engine/event_payloads.hpp"
#include "engine/unit_of_work.hpp"
#include "engine/worker_transitions.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {

Lifecycle::Lifecycle(Store& store, CloudEventConverter converter, EngineSettings settings, Clock now, IdSource new_id)
    : store_(store),
      converter_(std::move(converter)),
      settings_(settings),
      now_(std::move(now)),
      new_id_(std::move(new_id)),
      ingress_(store_, converter_, [this] { return nowText(); }, [this] { committed(); }) {}

template <class T>
Expected<T> Lifecycle::inTransaction(const EventTrace& trace, const std::function<Expected<T>(UnitOfWork&)>& work) {
  auto transaction = store_.begin();
  UnitOfWork uow(*transaction, converter_, nowText(), trace);
  Expected<T> result = work(uow);
  if (result.ok()) {
    transaction->commit();
    committed();
  }  // otherwise the destructor rolls back
  return result;
}

void Lifecycle::committed() {
  // The change is committed whatever a listener does: one that throws is
  // logged, and the caller still hears that its command was applied.
  try {
    if (on_commit_) on_commit_();
  } catch (const std::exception& e) {
    logWithFields(Poco::Logger::get("ccm.engine"), sdk::LogLevel::Error, "commit listener failed",
                  {{"error", e.what()}});
  }
}

template Expected<LabletDefinition> Lifecycle::inTransaction(
    const EventTrace&, const std::function<Expected<LabletDefinition>(UnitOfWork&)>&);
template Expected<Worker> Lifecycle::inTransaction(const EventTrace&,
                                                   const std::function<Expected<Worker>(UnitOfWork&)>&);
template Expected<LabletSession> Lifecycle::inTransaction(const EventTrace&,
                                                          const std::function<Expected<LabletSession>(UnitOfWork&)>&);
template Expected<SinkPause> Lifecycle::inTransaction(const EventTrace&,
                                                      const std::function<Expected<SinkPause>(UnitOfWork&)>&);
template Expected<std::optional<SinkPause>> Lifecycle::inTransaction(
    const EventTrace&, const std::function<Expected<std::optional<SinkPause>>(UnitOfWork&)>&);

namespace {

std::optional<Error> checkDefinitionSpec(const DefinitionSpec& spec) {
  if (spec.lab_yaml.empty()) return Error::invalid("lab_yaml must be a non-empty CML lab topology", "lab_yaml");
  auto annotations = sdk::parseSmartAnnotations(spec.lab_yaml);
  if (!annotations) return Error::unprocessable(annotations.error().message, "lab_yaml");
  if (spec.max_duration_seconds < 0) {
    return Error::invalid("max_duration_seconds must be 0 (gateway default) or positive", "max_duration_seconds");
  }
  return std::nullopt;
}

}  // namespace

Expected<LabletDefinition> Lifecycle::createDefinition(const DefinitionSpec& spec, const EventTrace& trace) {
  if (spec.name.empty()) return Error::invalid("name must be a non-empty string", "name");
  if (auto problem = checkDefinitionSpec(spec)) return *problem;
  return inTransaction<LabletDefinition>(trace, [&](UnitOfWork& uow) -> Expected<LabletDefinition> {
    LabletDefinition definition;
    definition.id = new_id_();
    definition.name = spec.name;
    definition.version = 1;
    definition.lab_yaml = spec.lab_yaml;
    definition.pod_settings = spec.pod_settings;
    definition.max_duration_seconds = spec.max_duration_seconds;
    definition.created_at = definition.updated_at = uow.now();
    uow.tx().saveDefinition(definition);
    uow.tx().addDefinitionVersion({definition.id, 1, definition.lab_yaml, uow.now()});
    uow.record(definitionCreated(definition, uow.now()));
    return definition;
  });
}

Expected<LabletDefinition> Lifecycle::addDefinitionVersion(const std::string& definition_id, const DefinitionSpec& spec,
                                                           const EventTrace& trace) {
  if (auto problem = checkDefinitionSpec(spec)) return *problem;
  return inTransaction<LabletDefinition>(trace, [&](UnitOfWork& uow) -> Expected<LabletDefinition> {
    auto definition = uow.tx().findDefinition(definition_id);
    if (!definition) return Error::notFound("definition " + definition_id + " does not exist");
    const int old_version = definition->version;
    definition->version = old_version + 1;
    definition->lab_yaml = spec.lab_yaml;
    if (!spec.name.empty()) definition->name = spec.name;
    if (spec.pod_settings != "{}") definition->pod_settings = spec.pod_settings;
    if (spec.max_duration_seconds > 0) definition->max_duration_seconds = spec.max_duration_seconds;
    definition->updated_at = uow.now();
    uow.tx().saveDefinition(*definition);
    uow.tx().addDefinitionVersion({definition->id, definition->version, definition->lab_yaml, uow.now()});
    uow.record(definitionVersionCreated(*definition, old_version, uow.now()));
    return *definition;
  });
}

namespace {

std::optional<Error> checkWorkerSpec(const WorkerSpec& spec) {
  if (spec.name.empty()) return Error::invalid("name must be a non-empty string", "name");
  if (spec.private_address.empty() && spec.public_address.empty()) {
    return Error::invalid("a worker needs a private_address or a public_address", "private_address");
  }
  if (spec.port_range_start == 0 || spec.port_range_end < spec.port_range_start) {
    return Error::invalid("port_range_start must be 1..65535 and not above port_range_end", "port_range_start");
  }
  if (spec.capacity < 1) return Error::invalid("capacity must be at least 1", "capacity");
  return std::nullopt;
}

}  // namespace

Worker Lifecycle::insertWorker(UnitOfWork& uow, std::string id, const WorkerSpec& spec, const std::string& scaling) {
  Worker worker;
  worker.id = std::move(id);
  worker.name = spec.name;
  worker.template_name = spec.template_name;
  worker.public_address = spec.public_address;
  worker.private_address = spec.private_address;
  worker.port_range_start = spec.port_range_start;
  worker.port_range_end = spec.port_range_end;
  worker.capacity = spec.capacity;
  worker.scaling = scaling;
  worker.created_at = worker.updated_at = uow.now();
  uow.tx().saveWorker(worker);
  uow.record(workerStateChanged(worker, std::nullopt, "", uow.now()));
  return worker;
}

Expected<Worker> Lifecycle::createWorker(const WorkerSpec& spec, const EventTrace& trace) {
  if (auto problem = checkWorkerSpec(spec)) return *problem;
  return inTransaction<Worker>(
      trace, [&](UnitOfWork& uow) -> Expected<Worker> { return insertWorker(uow, new_id_(), spec, ""); });
}

Expected<Worker> Lifecycle::moveWorker(UnitOfWork& uow, const std::string& worker_id, WorkerState to,
                                       const std::string& reason) {
  auto worker = uow.tx().findWorker(worker_id, true);
  if (!worker) return Error::notFound("worker " + worker_id + " does not exist");
  if (to == WorkerState::Draining || to == WorkerState::Stopping || to == WorkerState::Stopped ||
      to == WorkerState::Terminated) {
    // Leaving service with sessions still placed would strand them.
    SessionFilter live;
    live.worker_id = worker_id;
    live.states = {SessionState::Scheduled,  SessionState::Instantiating, SessionState::Ready, SessionState::Running,
                   SessionState::Collecting, SessionState::Grading,       SessionState::Graded};
    live.limit = 1;
    if (to != WorkerState::Draining && !uow.tx().listSessions(live).empty()) {
      return Error::conflict("worker " + worker_id + " still hosts live sessions; stop them or drain first");
    }
  }
  const WorkerState previous = worker->state;
  auto moved = applyTransition(*worker, to, uow.now());
  if (!moved) return Error::conflict(moved.error().message);
  Worker& after = moved.value();
  uow.record(workerStateChanged(after, previous, reason, uow.now()));
  if (to == WorkerState::Running && after.scaling == "up") {
    uow.record(scalingEvent("ccm.scaling.up.completed", after.id, after.template_name, reason, uow.now()));
    after.scaling.clear();
  }
  if (to == WorkerState::Terminated && after.scaling == "down") {
    uow.record(scalingEvent("ccm.scaling.down.completed", after.id, after.template_name, reason, uow.now()));
    after.scaling.clear();
  }
  uow.tx().saveWorker(after);
  return after;
}

Expected<Worker> Lifecycle::transitionWorker(const std::string& worker_id, WorkerState to, const std::string& reason,
                                             const EventTrace& trace) {
  return inTransaction<Worker>(trace, [&](UnitOfWork& uow) { return moveWorker(uow, worker_id, to, reason); });
}

Expected<Worker> Lifecycle::requestScaleUp(const WorkerSpec& spec, const std::string& reason, const EventTrace& trace) {
  if (spec.template_name.empty()) return Error::invalid("template_name must be a non-empty string", "template_name");
  if (auto problem = checkWorkerSpec(spec)) return *problem;
  return inTransaction<Worker>(trace, [&](UnitOfWork& uow) -> Expected<Worker> {
    std::string id = new_id_();
    uow.record(scalingEvent("ccm.scaling.up.requested", id, spec.template_name, reason, uow.now()));
    Worker worker = insertWorker(uow, std::move(id), spec, "up");
    uow.record(scalingEvent("ccm.worker.scaling.up", worker.id, worker.template_name, reason, uow.now()));
    return worker;
  });
}

Expected<Worker> Lifecycle::requestScaleDown(const std::string& worker_id, const std::string& reason,
                                             const EventTrace& trace) {
  return inTransaction<Worker>(trace, [&](UnitOfWork& uow) -> Expected<Worker> {
    auto worker = uow.tx().findWorker(worker_id, true);
    if (!worker) return Error::notFound("worker " + worker_id + " does not exist");
    if (worker->state != WorkerState::Running) {
      return Error::conflict("worker " + worker_id + " is " + std::string(toString(worker->state)) +
                               "; only a running worker can be scaled down");
    }
    worker->scaling = "down";
    uow.tx().saveWorker(*worker);
    uow.record(scalingEvent("ccm.scaling.down.requested", worker->id, worker->template_name, reason, uow.now()));
    uow.record(scalingEvent("ccm.worker.scaling.down", worker->id, worker->template_name, reason, uow.now()));
    return moveWorker(uow, worker_id, WorkerState::Draining, reason);
  });
}

}  // namespace ccm::core
