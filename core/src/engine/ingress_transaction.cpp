// The ingress side of the Lifecycle engine: many inbound events in one
// transaction, and reading a session inside it.
#include "engine/ingress_key_owners.hpp"
#include "engine/lifecycle.hpp"
#include "engine/unit_of_work.hpp"

#include <algorithm>
#include <condition_variable>

namespace ccm::core {

// One caller's share of a group commit.
struct Lifecycle::IngressRequest {
  const std::vector<sdk::CloudEvent>& events;
  std::vector<EventRecord> records;  // the events' log rows, moved into the transaction
  const std::string& dedup_until;
  bool refusable;
  const std::function<std::optional<Problem>(std::size_t index)>& apply;
  std::optional<Expected<std::vector<IngressResult>>> result;
  std::exception_ptr error;
  bool done = false;
  // Its caller sleeps on its own condition: one commit wakes exactly the
  // callers it answered, and the next leader, not every waiting thread.
  std::condition_variable wake;
};

Expected<std::vector<Lifecycle::IngressResult>> Lifecycle::applyIngressBatch(
    const std::vector<sdk::CloudEvent>& events, const std::string& dedup_until, bool refusable,
    const std::function<std::optional<Problem>(std::size_t index)>& apply) {
  // Group commit: requests queue up; whichever caller finds no commit running
  // takes everything queued and commits it in ONE transaction (one fsync).
  // Every caller returns only after the commit that holds its events.
  // Serialised here, on the caller's thread, so that commits stay short.
  std::vector<EventRecord> records;
  records.reserve(events.size());
  for (const auto& event : events) records.push_back(EventRecord::ofParsed(event));
  IngressRequest request{events, std::move(records), dedup_until, refusable, apply, std::nullopt, nullptr, false, {}};
  std::unique_lock lock(ingress_mutex_);
  ingress_queue_.push_back(&request);
  while (!request.done) {
    if (committing_) {
      request.wake.wait(lock);
      continue;
    }
    std::vector<IngressRequest*> group;
    group.reserve(std::min(ingress_queue_.size(), kMaxIngressGroup));
    while (!ingress_queue_.empty() && group.size() < kMaxIngressGroup) {
      group.push_back(ingress_queue_.front());
      ingress_queue_.pop_front();
    }
    committing_ = true;
    lock.unlock();
    commitIngressGroup(group);
    lock.lock();
    committing_ = false;
    for (auto* member : group) {
      member->done = true;
      if (member != &request) member->wake.notify_one();
    }
    // Whoever queued during this commit leads the next one.
    if (!ingress_queue_.empty()) ingress_queue_.front()->wake.notify_one();
  }
  lock.unlock();
  if (request.error) std::rethrow_exception(request.error);
  return std::move(*request.result);
}

void Lifecycle::commitIngressGroup(const std::vector<IngressRequest*>& group) {
  try {
    auto transaction = store_.begin();
    const std::string now = nowText();
    // Every event of the group is remembered in one pass, before any
    // savepoint; a key's flag is true at the one position that remembered it
    // (the first copy), and IngressKeyOwners hands keys on when requests are refused.
    std::vector<IngressKey> keys;
    for (const auto* request : group) {
      for (const auto& event : request->events) keys.push_back({event.source, event.id, request->dedup_until});
    }
    IngressKeyOwners owners(keys, transaction->rememberIngress(keys));
    std::vector<std::unique_ptr<UnitOfWork>> applied;
    std::size_t position = 0;
    for (std::size_t r = 0; r < group.size(); ++r) {
      IngressRequest& request = *group[r];
      const std::size_t first_position = position;
      auto uow = std::make_unique<UnitOfWork>(*transaction, converter_, now);
      // Only a request whose events run commands can be refused; it gets a
      // savepoint so that undoing it leaves the rest of the group alone (and
      // a batch stays all or nothing).
      const std::string savepoint = "ingress_" + std::to_string(r);
      if (request.refusable) transaction->savepoint(savepoint);
      std::vector<IngressResult> results;
      std::optional<Problem> problem;
      {
        // Commands called by `apply` join this transaction; cleared on every exit.
        struct AmbientScope {
          UnitOfWork*& slot;
          ~AmbientScope() { slot = nullptr; }
        } scope{ambient_};
        ambient_ = uow.get();
        for (std::size_t i = 0; i < request.events.size() && !problem; ++i, ++position) {
          if (!owners.take(position)) {
            results.push_back(IngressResult::Duplicate);
            continue;
          }
          transaction->appendRecord(std::move(request.records[i]));
          problem = request.apply(i);
          results.push_back(IngressResult::Applied);
        }
      }
      position = first_position + request.events.size();
      if (problem) {
        if (!request.refusable) throw std::logic_error("ingress: a request marked not refusable was refused");
        transaction->rollbackTo(savepoint);
        owners.refuse(first_position, position);  // also the keys of events it never reached
        request.result = *problem;
      } else {
        request.result = std::move(results);
        applied.push_back(std::move(uow));
      }
      if (request.refusable) transaction->release(savepoint);
    }
    if (auto unowned = owners.unowned(); !unowned.empty()) transaction->forgetIngress(unowned);
    transaction->commit();
    for (auto& uow : applied) committed(*uow);
  } catch (...) {
    // The transaction rolled back: nothing of the group was applied.
    for (auto* request : group) request->error = std::current_exception();
  }
}

Expected<LabletSession> Lifecycle::lockSession(const std::string& session_id) {
  return inTransaction<LabletSession>([&](UnitOfWork& uow) -> Expected<LabletSession> {
    auto session = uow.tx().findSession(session_id, true);
    if (!session) return Problem::notFound("session " + session_id + " does not exist");
    return *session;
  });
}

}  // namespace ccm::core
