#include "engine/ingress_committer.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <condition_variable>

#include "engine/ingress_key_owners.hpp"
#include "engine/unit_of_work.hpp"
#include "observability/json_log.hpp"
#include "observability/thread_name.hpp"

namespace ccm::core {

// One caller's share of a group commit.
struct IngressCommitter::Request {
  const std::vector<sdk::CloudEvent>& events;
  std::vector<EventRecord> records;  // the events' log rows, moved into the transaction
  std::string dedup_until;
  bool refusable;
  IngressApply apply;
  IngressDone done;
  std::optional<IngressResults> result;
  std::exception_ptr error;
};

IngressCommitter::IngressCommitter(Store& store, const CloudEventConverter& converter,
                                   std::function<std::string()> now_text, std::function<void()> committed)
    : store_(store), converter_(converter), now_text_(std::move(now_text)), committed_(std::move(committed)) {}

IngressCommitter::~IngressCommitter() {
  stop();
}

void IngressCommitter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  if (thread_.joinable()) thread_.join();
  if (answer_thread_.joinable()) answer_thread_.join();
}

void IngressCommitter::submit(const std::vector<sdk::CloudEvent>& events, std::string dedup_until, bool refusable,
                              IngressApply apply, IngressDone done) {
  // Serialised here, on the caller's thread, so that commits stay short.
  std::vector<EventRecord> records;
  records.reserve(events.size());
  for (const auto& event : events) records.push_back(EventRecord::ofParsed(event));
  auto request = std::unique_ptr<Request>(new Request{
      events, std::move(records), std::move(dedup_until), refusable, std::move(apply), std::move(done), {}, nullptr});
  {
    std::unique_lock lock(mutex_);
    if (stopping_) {
      lock.unlock();
      request->done(IngressResults(Error{ErrorCategory::Unavailable, "shutting down", {}}),
                    std::make_exception_ptr(StoreError("the gateway is shutting down; nothing was applied")));
      return;
    }
    if (!thread_.joinable()) {
      committing_ended_ = false;
      answer_thread_ = std::thread([this] { answer(); });
      try {
        thread_ = std::thread([this] { run(); });
      } catch (...) {
        // Both threads or neither: a group committed without its answering
        // thread would never be answered.
        committing_ended_ = true;
        committed_groups_ready_.notify_one();
        lock.unlock();
        answer_thread_.join();
        throw;
      }
    }
    queue_.push_back(std::move(request));
  }
  queued_.notify_one();
}

IngressResults IngressCommitter::apply(const std::vector<sdk::CloudEvent>& events, const std::string& dedup_until,
                                       bool refusable, const IngressApply& apply) {
  std::mutex mutex;
  std::condition_variable answered;
  std::optional<IngressResults> result;
  std::exception_ptr error;
  submit(events, dedup_until, refusable, apply, [&](IngressResults r, std::exception_ptr e) {
    std::lock_guard lock(mutex);
    result = std::move(r);
    error = e;
    answered.notify_one();
  });
  std::unique_lock lock(mutex);
  answered.wait(lock, [&] { return result || error; });
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

void IngressCommitter::run() {
  nameCurrentThread("ccm-commit");
  // Group commit: whatever queued while the last commit ran goes into the
  // next transaction together (one fsync), so durability does not bound the
  // request rate.
  std::unique_lock lock(mutex_);
  while (true) {
    queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, and everything submitted is committed
    Group group;
    group.reserve(std::min(queue_.size(), kMaxGroup));
    while (!queue_.empty() && group.size() < kMaxGroup) {
      group.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    const bool applied = commitGroup(group);
    lock.lock();
    committed_groups_.push_back({std::move(group), applied});
    committed_groups_ready_.notify_one();
  }
  committing_ended_ = true;
  committed_groups_ready_.notify_one();
}

void IngressCommitter::answer() {
  nameCurrentThread("ccm-sync");
  std::unique_lock lock(mutex_);
  while (true) {
    committed_groups_ready_.wait(lock, [this] { return committing_ended_ || !committed_groups_.empty(); });
    if (committed_groups_.empty()) return;  // committing ended and every group is answered
    std::deque<CommittedGroup> groups;
    groups.swap(committed_groups_);
    lock.unlock();
    answer(groups);
    groups.clear();  // the requests' events and callbacks go here too, off the committing thread
    lock.lock();
  }
}

namespace {

std::string describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an unknown exception";
  }
}

}  // namespace

void IngressCommitter::answer(std::deque<CommittedGroup>& groups) {
  // One sync for every group waiting; the committing thread commits the next
  // group meanwhile, so the fsync no longer holds it up.
  std::exception_ptr sync_error;
  try {
    store_.syncCommits();
  } catch (...) {
    sync_error = std::current_exception();
    logWithFields(Poco::Logger::get("ccm.engine"), sdk::LogLevel::Error, "ingress commits could not be made durable",
                  {{"error", describe(sync_error)}});
  }
  const bool applied = std::any_of(groups.begin(), groups.end(), [](const auto& group) { return group.applied; });
  if (applied && !sync_error && committed_) committed_();
  for (auto& group : groups) {
    for (auto& request : group.requests) {
      try {
        if (sync_error && !request->error) request->error = sync_error;
        request->done(
            request->result ? std::move(*request->result) : IngressResults(Error{ErrorCategory::Internal, {}, {}}),
            request->error);
      } catch (...) {
        // `done` must not throw; if it does, the group's other callers are still answered.
        logWithFields(Poco::Logger::get("ccm.engine"), sdk::LogLevel::Error, "an ingress answer failed", {});
      }
    }
  }
}

namespace {

// A plugin's translate() or a command that throws refuses its own request
// (500), not the whole group; a store failure still fails the group, since
// the transaction may be unusable.
// The commands `apply` runs join the group's transaction through `uow`.
std::optional<Error> applyGuarded(const IngressApply& apply, UnitOfWork& uow, std::size_t i, bool refusable) {
  if (!refusable) return apply(uow, i);
  try {
    return apply(uow, i);
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    return Error{ErrorCategory::Internal, std::string("failed: ") + e.what(), {}};
  } catch (...) {
    return Error{ErrorCategory::Internal, "failed with an unknown error", {}};
  }
}

}  // namespace

bool IngressCommitter::commitGroup(const Group& group) {
  try {
    // Durable only after answer()'s sync; nobody is answered before it.
    auto transaction = store_.beginWithoutSync();
    const std::string now = now_text_();
    // Every event of the group is remembered in one pass, before any
    // savepoint; a key's flag is true at the one position that remembered it
    // (the first copy), and IngressKeyOwners hands keys on when requests are refused.
    std::vector<IngressKey> keys;
    for (const auto& request : group) {
      for (const auto& event : request->events) keys.push_back({event.source, event.id, request->dedup_until});
    }
    IngressKeyOwners owners(keys, transaction->rememberIngress(keys));
    bool applied = false;
    std::size_t position = 0;
    for (std::size_t r = 0; r < group.size(); ++r) {
      Request& request = *group[r];
      const std::size_t first_position = position;
      UnitOfWork uow(*transaction, converter_, now);
      // Only a request whose events run commands can be refused; it gets a
      // savepoint so that undoing it leaves the rest of the group alone (and
      // a batch stays all or nothing).
      const std::string savepoint = "ingress_" + std::to_string(r);
      if (request.refusable) transaction->savepoint(savepoint);
      std::vector<IngressResult> results;
      std::optional<Error> problem;
      {
        for (std::size_t i = 0; i < request.events.size() && !problem; ++i, ++position) {
          if (!owners.take(position)) {
            results.push_back(IngressResult::Duplicate);
            continue;
          }
          transaction->appendRecord(std::move(request.records[i]));
          problem = applyGuarded(request.apply, uow, i, request.refusable);
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
        applied = true;
      }
      if (request.refusable) transaction->release(savepoint);
    }
    if (auto unowned = owners.unowned(); !unowned.empty()) transaction->forgetIngress(unowned);
    transaction->commit();
    return applied;
  } catch (...) {
    // The transaction rolled back: nothing of the group was applied.
    for (auto& request : group) request->error = std::current_exception();
    return false;
  }
}

}  // namespace ccm::core
