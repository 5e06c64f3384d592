// The ingress side of the Lifecycle engine: many inbound events in one
// transaction, and reading a session inside it.
#include "engine/lifecycle.hpp"
#include "engine/unit_of_work.hpp"

namespace ccm::core {

// One caller's share of a group commit.
struct Lifecycle::IngressRequest {
  const std::vector<sdk::CloudEvent>& events;
  const std::string& dedup_until;
  const std::function<std::optional<Problem>(std::size_t index)>& apply;
  std::optional<Expected<std::vector<IngressResult>>> result;
  std::exception_ptr error;
  bool done = false;
};

Expected<std::vector<Lifecycle::IngressResult>> Lifecycle::applyIngressBatch(
    const std::vector<sdk::CloudEvent>& events, const std::string& dedup_until,
    const std::function<std::optional<Problem>(std::size_t index)>& apply) {
  // Group commit: requests queue up; whichever caller finds no commit running
  // takes everything queued and commits it in ONE transaction (one fsync),
  // each request in its own savepoint so a refused one is undone alone. Every
  // caller returns only after the commit that holds its events.
  IngressRequest request{events, dedup_until, apply, std::nullopt, nullptr, false};
  std::unique_lock lock(ingress_mutex_);
  ingress_queue_.push_back(&request);
  while (!request.done) {
    if (committing_) {
      ingress_done_.wait(lock);
      continue;
    }
    committing_ = true;
    std::vector<IngressRequest*> group;
    while (!ingress_queue_.empty() && group.size() < kMaxIngressGroup) {
      group.push_back(ingress_queue_.front());
      ingress_queue_.pop_front();
    }
    lock.unlock();
    commitIngressGroup(group);
    lock.lock();
    committing_ = false;
    ingress_done_.notify_all();
  }
  lock.unlock();
  if (request.error) std::rethrow_exception(request.error);
  return std::move(*request.result);
}

void Lifecycle::commitIngressGroup(const std::vector<IngressRequest*>& group) {
  try {
    auto transaction = store_.begin();
    const std::string now = nowText();
    std::vector<std::unique_ptr<UnitOfWork>> applied;
    for (std::size_t r = 0; r < group.size(); ++r) {
      IngressRequest& request = *group[r];
      auto uow = std::make_unique<UnitOfWork>(*transaction, converter_, now);
      const std::string savepoint = "ingress_" + std::to_string(r);
      transaction->savepoint(savepoint);
      std::vector<IngressResult> results;
      std::optional<Problem> problem;
      {
        // Commands called by `apply` join this transaction; cleared on every exit.
        struct AmbientScope {
          UnitOfWork*& slot;
          ~AmbientScope() { slot = nullptr; }
        } scope{ambient_};
        ambient_ = uow.get();
        for (std::size_t i = 0; i < request.events.size() && !problem; ++i) {
          const auto& event = request.events[i];
          // On PostgreSQL a concurrent copy blocks here until the first
          // commits, then counts as a duplicate.
          if (!transaction->rememberIngress(event.source, event.id, request.dedup_until)) {
            results.push_back(IngressResult::Duplicate);
            continue;
          }
          transaction->appendEvent(event);
          problem = request.apply(i);
          results.push_back(IngressResult::Applied);
        }
      }
      if (problem) {
        transaction->rollbackTo(savepoint);  // this request only; a batch is all or nothing
        request.result = *problem;
      } else {
        request.result = std::move(results);
        applied.push_back(std::move(uow));
      }
      transaction->release(savepoint);
    }
    transaction->commit();
    for (auto& uow : applied) committed(*uow);
  } catch (...) {
    // The transaction rolled back: nothing of the group was applied.
    for (auto* request : group) request->error = std::current_exception();
  }
  for (auto* request : group) request->done = true;
}

Expected<LabletSession> Lifecycle::lockSession(const std::string& session_id) {
  return inTransaction<LabletSession>([&](UnitOfWork& uow) -> Expected<LabletSession> {
    auto session = uow.tx().findSession(session_id, true);
    if (!session) return Problem::notFound("session " + session_id + " does not exist");
    return *session;
  });
}

}  // namespace ccm::core
