// The ingress side of the Lifecycle engine: many inbound events in one
// transaction, and reading a session inside it.
#include "engine/lifecycle.hpp"
#include "engine/unit_of_work.hpp"

namespace ccm::core {

Expected<std::vector<Lifecycle::IngressResult>> Lifecycle::applyIngressBatch(
    const std::vector<sdk::CloudEvent>& events, const std::string& dedup_until,
    const std::function<std::optional<Problem>(std::size_t index)>& apply) {
  auto transaction = store_.begin();
  UnitOfWork uow(*transaction, converter_, nowText());
  std::vector<IngressResult> results;
  results.reserve(events.size());
  {
    // Commands called by `apply` join this transaction; cleared on every exit.
    struct AmbientScope {
      UnitOfWork*& slot;
      ~AmbientScope() { slot = nullptr; }
    } scope{ambient_};
    ambient_ = &uow;
    for (std::size_t i = 0; i < events.size(); ++i) {
      // On PostgreSQL a concurrent copy blocks here until the first commits,
      // then counts as a duplicate; on SQLite writers are serialised anyway.
      if (!transaction->rememberIngress(events[i].source, events[i].id, dedup_until)) {
        results.push_back(IngressResult::Duplicate);
        continue;
      }
      transaction->appendEvent(events[i]);
      if (auto problem = apply(i)) return *problem;  // rolls back every member
      results.push_back(IngressResult::Applied);
    }
  }
  transaction->commit();
  committed(uow);
  return results;
}

Expected<LabletSession> Lifecycle::lockSession(const std::string& session_id) {
  return inTransaction<LabletSession>([&](UnitOfWork& uow) -> Expected<LabletSession> {
    auto session = uow.tx().findSession(session_id, true);
    if (!session) return Problem::notFound("session " + session_id + " does not exist");
    return *session;
  });
}

}  // namespace ccm::core
