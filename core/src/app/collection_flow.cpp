#include "app/collection_flow.hpp"

#include <Poco/Logger.h>

#include "observability/json_log.hpp"
#include "store/aggregate_json.hpp"

namespace ccm::core {
namespace {

Poco::Logger& log() { return Poco::Logger::get("ccm.collection"); }

}  // namespace

CollectionFlow::CollectionFlow(Store& store, Lifecycle& lifecycle, std::shared_ptr<sdk::PodGenerator> pod_generator,
                               std::shared_ptr<sdk::AssessmentClient> assessment_client, std::string part_id)
    : store_(store),
      lifecycle_(lifecycle),
      pod_generator_(std::move(pod_generator)),
      assessment_client_(std::move(assessment_client)),
      part_id_(std::move(part_id)),
      thread_([this] { run(); }) {}

CollectionFlow::~CollectionFlow() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void CollectionFlow::sessionEntered(const LabletSession& session) {
  const bool assign_pod = session.state == SessionState::Ready && pod_generator_ && assessment_client_;
  const bool collect = session.state == SessionState::Collecting && assessment_client_;
  if (!assign_pod && !collect) return;
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back({session.id, session.state});
  }
  wake_.notify_one();
}

Expected<std::string> CollectionFlow::podFor(const std::string& session_id) {
  if (!pod_generator_) return Problem::notFound("no pod_generator is configured");
  auto tx = store_.begin();
  auto session = tx->findSession(session_id);
  if (!session) return Problem::notFound("session " + session_id + " does not exist");
  if (session->worker_id.empty() || session->allocated_ports.empty()) {
    return Problem::conflict("session " + session_id + " is " + std::string(toString(session->state)) +
                             " and has no worker ports yet; a Pod exists once it is scheduled");
  }
  auto definition = tx->findDefinition(session->definition_id);
  auto worker = tx->findWorker(session->worker_id);
  if (!definition || !worker) return Problem::conflict("session " + session_id + " lost its definition or worker");
  sdk::PodRequest request;
  request.session_id = session->id;
  request.lab_yaml = definition->lab_yaml;
  for (const auto& version : tx->definitionVersions(definition->id)) {
    if (version.version == session->definition_version) request.lab_yaml = version.lab_yaml;
  }
  request.allocated_ports = session->allocated_ports;
  request.worker_public_address = worker->public_address;
  request.worker_private_address = worker->private_address;
  request.definition_json = toJson(*definition);
  auto pod = pod_generator_->generate(request);
  if (!pod) return Problem::unprocessable("pod generation failed: " + pod.error().message, pod.error().where);
  return pod.value();
}

void CollectionFlow::perform(const Job& job) {
  std::string failure;
  if (job.state == SessionState::Ready) {
    auto pod = podFor(job.session_id);
    if (!pod) {
      failure = pod.problem().detail;
    } else if (auto assigned = assessment_client_->assignPod(job.session_id, part_id_, pod.value()); !assigned) {
      failure = "pod assignment failed: " + assigned.error().message;
    } else {
      logWithFields(log(), sdk::LogLevel::Info, "pod assigned", {{"session", job.session_id}, {"part", part_id_}});
    }
  } else {
    auto tx = store_.begin();
    auto session = tx->findSession(job.session_id);
    auto worker = session ? tx->findWorker(session->worker_id) : std::nullopt;
    tx.reset();
    if (!session) return;
    const std::string host = !worker ? "" : !worker->public_address.empty() ? worker->public_address
                                                                           : worker->private_address;
    if (auto triggered = assessment_client_->triggerCollection({session->id, session->cml_lab_id, host}); !triggered) {
      failure = "collection trigger failed: " + triggered.error().message;
    } else {
      logWithFields(log(), sdk::LogLevel::Info, "collection triggered", {{"session", job.session_id}});
    }
  }
  if (!failure.empty()) {
    logWithFields(log(), sdk::LogLevel::Error, "assessment platform call failed",
                  {{"session", job.session_id}, {"error", failure}});
    lifecycle_.recordError(job.session_id, failure);
  }
}

void CollectionFlow::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    const Job job = jobs_.front();
    jobs_.pop_front();
    lock.unlock();
    try {
      perform(job);
    } catch (const std::exception& e) {
      logWithFields(log(), sdk::LogLevel::Error, "collection flow failed", {{"session", job.session_id}, {"error", e.what()}});
    }
    lock.lock();
  }
}

}  // namespace ccm::core
