#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ccm/sdk/assessment_client.hpp"
#include "ccm/sdk/pod_generator.hpp"
#include "ccm/sdk/sink.hpp"
#include "delivery/delivery_service.hpp"
#include "domain/error.hpp"
#include "engine/lifecycle.hpp"
#include "store/store.hpp"

namespace ccm::core {

// The Assessment Platform side of a session (Phase 4 tasks 4.7, 4.10, 4.11):
// when a session becomes ready its Pod is generated and assigned; when it
// enters collecting, collection is triggered. It is a durable consumer of the
// event log, run by the delivery service like a sink (spec()): its own
// cursor, retries with backoff, dead letters, circuit breaker, per-session
// order, the lease across replicas and status beside the sinks. An event is
// acknowledged only after its call succeeded, so a crash in between makes the
// call again after the restart; the calls are idempotent towards the
// platform (docs/plugins/assessment-client.md#idempotency). A failed call is
// also recorded in the session's `error`; the session is never left in a
// state it cannot leave.
class CollectionFlow final : public sdk::Sink {
public:
  // The consumer's name among the sinks: not a valid sink name, so no
  // configured sink can take its cursor.
  static constexpr const char* kName = "_collection-flow";

  CollectionFlow(Store& store, Lifecycle& lifecycle, std::shared_ptr<sdk::PodGenerator> pod_generator,
                 std::shared_ptr<sdk::AssessmentClient> assessment_client, std::string part_id);

  // What the delivery service runs it with: the session events it acts on,
  // from the end of the log when first seen (not every past session again).
  static SinkSpec spec(std::shared_ptr<CollectionFlow> flow);

  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override;

  // The session's grading Pod as JSON (GET /api/v1/sessions/{id}/pod).
  Expected<std::string> podFor(const std::string& session_id);

private:
  sdk::Outcome assignPod(const LabletSession& session);
  sdk::Outcome triggerCollection(const LabletSession& session);
  sdk::Outcome failed(const std::string& session_id, const std::string& failure, bool retryable);

  Store& store_;
  Lifecycle& lifecycle_;
  std::shared_ptr<sdk::PodGenerator> pod_generator_;
  std::shared_ptr<sdk::AssessmentClient> assessment_client_;
  const std::string part_id_;
};

}  // namespace ccm::core
