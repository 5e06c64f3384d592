#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "concurrency/periodic_task.hpp"
#include "observability/metrics_registry.hpp"
#include "store/store.hpp"
#include "store/store_config.hpp"

namespace ccm::core {

// Keeps the event log within store.retention: every `interval_ms` it deletes
// the oldest events over a limit in batches (Store::pruneEventLog), never one
// a running sink has not passed unless it is older than force_after_seconds
// (each such skip is logged, counted and recorded for the sink), then gives
// SQLite's free pages back when many are free. Also forgets expired ingress
// deduplication keys and delivery attempts past their age at the same
// bounded cost. Thread-safe.
class EventLogRetention {
public:
  using Now = std::function<std::chrono::system_clock::time_point()>;
  // `consumers` names the sinks running now (the durable consumers included).
  EventLogRetention(Store& store, MetricsRegistry& metrics, StoreConfig::Retention settings,
                    std::function<std::vector<std::string>()> consumers, Now now = std::chrono::system_clock::now);

  // One pass: batches until nothing more is over a limit, or a bounded number
  // of them (the next pass goes on). Returns the events deleted.
  std::int64_t runOnce();
  // Runs passes every interval_ms on a thread of its own until destroyed.
  void start();

private:
  RetentionLimits limits() const;
  // Deletes the delivery attempts past store.retention.attempt_log.max_age_seconds.
  void pruneAttemptLog();

  Store& store_;
  MetricsRegistry& metrics_;
  const StoreConfig::Retention settings_;
  const std::function<std::vector<std::string>()> consumers_;
  const Now now_;
  std::unique_ptr<PeriodicTask> task_;
};

}  // namespace ccm::core
