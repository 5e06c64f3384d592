#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "concurrency/periodic_task.hpp"
#include "delivery/retention_pacer.hpp"
#include "observability/metrics_registry.hpp"
#include "store/store.hpp"
#include "store/store_config.hpp"

namespace ccm::core {

// Keeps the event log within store.retention: every `interval_ms` it deletes
// the oldest events over a limit in batches (Store::pruneEventLog), never one
// a running sink has not passed unless it is older than force_after_seconds
// (each such skip is logged, counted and recorded for the sink), then gives
// SQLite's free pages back when many are free. Also forgets expired ingress
// deduplication keys and delivery attempts past their age. Every batch is
// paced (RetentionPacer): short enough not to hold up ingest's commits, with
// a rest after it. One thread at a time.
class EventLogRetention {
public:
  using Now = std::function<std::chrono::system_clock::time_point()>;
  struct Pacing {
    // How long a batch should hold the store's one writer (SQLite); zero for
    // a store whose writers do not wait for each other (PostgreSQL).
    std::chrono::milliseconds batch_target = RetentionPacer::kDefaultTarget;
    // How long one kind of row is deleted for in a pass (and so about how
    // long shutdown may wait for a pass); the next pass goes on.
    std::chrono::milliseconds loop_budget{1000};
  };
  // `consumers` names the sinks running now (the durable consumers included).
  EventLogRetention(Store& store, MetricsRegistry& metrics, StoreConfig::Retention settings,
                    std::function<std::vector<std::string>()> consumers, Pacing pacing,
                    Now now = std::chrono::system_clock::now);

  // One pass: batches until nothing more is over a limit, or for the loop
  // budget per kind of row (the next pass goes on). Returns the events deleted.
  std::int64_t runOnce();
  // Whether the last pass stopped with work left.
  bool behind() const { return behind_; }
  // Runs passes every interval_ms (at once after a pass that ended behind)
  // on a thread of its own until destroyed.
  void start();

private:
  RetentionLimits limits() const;
  struct BatchResult {
    std::int64_t done = 0;  // rows
    bool more = false;      // another batch would find work
    bool late = false;      // and that work is overdue
  };
  struct LoopResult {
    std::int64_t done = 0;  // rows
    bool behind = false;    // the budget ran out with overdue work left
  };
  // Runs `batch(size)` (a write returning a BatchResult) paced by `pacer`
  // until nothing more is to do or the loop budget is spent. Only overdue
  // work left makes the loop behind: work that is merely unfinished (a
  // sweep of deduplication keys) goes on at the usual pace next pass.
  template <class Batch>
  LoopResult pacedLoop(RetentionPacer& pacer, Batch&& batch);
  // Gives SQLite's free pages back when they are more than 1/8 of the file.
  void releaseFreeSpace();
  // Deletes the delivery attempts past store.retention.attempt_log.max_age_seconds.
  void pruneAttemptLog();

  Store& store_;
  MetricsRegistry& metrics_;
  const StoreConfig::Retention settings_;
  const std::function<std::vector<std::string>()> consumers_;
  const Now now_;
  const std::chrono::milliseconds loop_budget_;  // Pacing::loop_budget; the target lives in the pacers
  // Batch sizes carry over from pass to pass.
  RetentionPacer events_;
  RetentionPacer dedup_keys_;
  RetentionPacer attempts_;
  RetentionPacer vacuum_;
  bool behind_ = false;
  std::unique_ptr<PeriodicTask> task_;
};

}  // namespace ccm::core
