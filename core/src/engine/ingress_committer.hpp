#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "domain/error.hpp"
#include "engine/cloud_event_converter.hpp"
#include "store/store.hpp"

namespace ccm::core {

class UnitOfWork;

enum class IngressResult { Applied, Duplicate };
using IngressResults = Expected<std::vector<IngressResult>>;
// Runs the commands of event `index` inside `uow`, the group's transaction.
using IngressApply = std::function<std::optional<Error>(UnitOfWork& uow, std::size_t index)>;
using IngressDone = std::function<void(IngressResults results, std::exception_ptr error)>;

// The ingress group commit (docs/ingress.md#performance): one committing
// thread takes every request queued while the last commit ran (up to 256)
// into one transaction and one fsync. Each inbound event is remembered by
// (source, id) until its request's `dedup_until` and appended to the event
// log, then its request's `apply` runs the commands it means, in the same
// transaction, so an event is logged exactly when its change is applied. A
// duplicate gets IngressResult::Duplicate and changes nothing. Only a
// `refusable` request may return an Error from `apply` (it gets a savepoint,
// so refusing it leaves the rest of the group alone and a batch stays all or
// nothing); one whose events are only logged costs no savepoint. A second
// thread makes the committed groups durable (Store::syncCommits, one sync for
// all that are waiting) and answers them, while the next group commits.
// Thread-safe.
class IngressCommitter {
public:
  // `now_text` stamps each group's changes; `committed` runs once commits
  // that applied something are durable, before their answers.
  IngressCommitter(Store& store, const CloudEventConverter& converter, std::function<std::string()> now_text,
                   std::function<void()> committed);
  // Calls stop().
  ~IngressCommitter();
  IngressCommitter(const IngressCommitter&) = delete;
  IngressCommitter& operator=(const IngressCommitter&) = delete;

  // Queues a request: `done` runs once the commit is durable (or with the
  // exception that rolled it back, or that the sync threw), on the answering
  // thread, which answers the groups in commit order while the next group
  // commits; it must be quick
  // and must not wait for another submission's answer (apply() included).
  // `events` and `apply` must stay alive until then. After stop(), `done` runs
  // at once with a StoreError ("shutting down").
  void submit(const std::vector<sdk::CloudEvent>& events, std::string dedup_until, bool refusable, IngressApply apply,
              IngressDone done);
  // submit() and wait: one result per event, in order.
  IngressResults apply(const std::vector<sdk::CloudEvent>& events, const std::string& dedup_until, bool refusable,
                       const IngressApply& apply);
  // Commits and answers what was submitted, then ends the committing thread;
  // call it before anything an `apply` or `done` callback uses goes away.
  void stop();

private:
  struct Request;
  static constexpr std::size_t kMaxGroup = 256;
  using Group = std::vector<std::unique_ptr<Request>>;
  struct CommittedGroup {
    Group requests;
    bool applied;  // some request's changes were committed
  };
  // Whether something was applied.
  bool commitGroup(const Group& group);
  void run();
  void answer();
  // Syncs the commits of `groups` and answers their requests.
  void answer(std::deque<CommittedGroup>& groups);

  Store& store_;
  const CloudEventConverter& converter_;
  std::function<std::string()> now_text_;
  std::function<void()> committed_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<std::unique_ptr<Request>> queue_;
  bool stopping_ = false;
  // Committed groups waiting for their sync and answers: the committing
  // thread goes on to the next group at once.
  std::condition_variable committed_groups_ready_;
  std::deque<CommittedGroup> committed_groups_;
  bool committing_ended_ = false;
  std::thread thread_;         // started by the first submit
  std::thread answer_thread_;  // likewise
};

}  // namespace ccm::core
