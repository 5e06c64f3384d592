#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ccm/sdk/assessment_client.hpp"
#include "ccm/sdk/pod_generator.hpp"
#include "engine/expected.hpp"
#include "engine/lifecycle.hpp"
#include "store/store.hpp"

namespace ccm::core {

// The Assessment Platform side of a session (Phase 4 tasks 4.7, 4.10, 4.11):
// when a session becomes ready its Pod is generated and assigned; when it
// enters collecting, collection is triggered. Both run after the commit on
// this object's own thread, so a slow or failing platform never blocks an
// API call or an ingress event; a failure is recorded in the session's
// `error` and logged, and the session is never left in a state it cannot
// leave (it can still be stopped, and faults still arrive from grading).
class CollectionFlow {
public:
  CollectionFlow(Store& store, Lifecycle& lifecycle, std::shared_ptr<sdk::PodGenerator> pod_generator,
                 std::shared_ptr<sdk::AssessmentClient> assessment_client, std::string part_id);
  ~CollectionFlow();
  CollectionFlow(const CollectionFlow&) = delete;
  CollectionFlow& operator=(const CollectionFlow&) = delete;

  // A Lifecycle transition listener: queues the work the new state needs.
  void sessionEntered(const LabletSession& session);

  // The session's grading Pod as JSON (GET /api/v1/sessions/{id}/pod).
  Expected<std::string> podFor(const std::string& session_id);

private:
  struct Job {
    std::string session_id;
    SessionState state;
  };
  void run();
  void perform(const Job& job);

  Store& store_;
  Lifecycle& lifecycle_;
  std::shared_ptr<sdk::PodGenerator> pod_generator_;
  std::shared_ptr<sdk::AssessmentClient> assessment_client_;
  const std::string part_id_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ccm::core
