#include "delivery/event_log_retention.hpp"

#include <Poco/Logger.h>

#include "ccm/sdk/time.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {
namespace {

// Bounds one pass (and so how long shutdown may wait for it); at the default
// batch size, 100 000 events a pass.
constexpr int kMaxBatchesPerPass = 100;

constexpr std::size_t kDedupBatch = 10000;

Poco::Logger& retentionLog() {
  return Poco::Logger::get("ccm.retention");
}

}  // namespace

EventLogRetention::EventLogRetention(Store& store, MetricsRegistry& metrics, StoreConfig::Retention settings,
                                     std::function<std::vector<std::string>()> consumers, Now now)
    : store_(store), metrics_(metrics), settings_(settings), consumers_(std::move(consumers)), now_(std::move(now)) {
  metrics_.describe("ccm_retention_deleted_events_total", sdk::MetricType::Counter,
                    "Events the event log's retention deleted.");
  metrics_.describe(
      "ccm_retention_skipped_events_total", sdk::MetricType::Counter,
      "Events retention deleted before a sink passed them (store.retention.force_after_seconds), by sink.");
  metrics_.describe("ccm_event_log_first_sequence", sdk::MetricType::Gauge,
                    "The oldest sequence still in the event log.");
  metrics_.describe("ccm_retention_deleted_attempts_total", sdk::MetricType::Counter,
                    "Delivery attempts deleted for their age (store.retention.attempt_log.max_age_seconds).");
  metrics_.describe("ccm_store_pages_released_total", sdk::MetricType::Counter,
                    "Free database pages given back to the file system (SQLite incremental vacuum).");
}

RetentionLimits EventLogRetention::limits() const {
  const auto now = now_();
  RetentionLimits limits;
  limits.max_events = settings_.max_events;
  limits.max_bytes = settings_.max_bytes;
  if (settings_.max_age_seconds) {
    limits.recorded_before = sdk::formatRfc3339(now - std::chrono::seconds(*settings_.max_age_seconds));
  }
  if (settings_.force_after_seconds) {
    limits.force_recorded_before = sdk::formatRfc3339(now - std::chrono::seconds(*settings_.force_after_seconds));
  }
  limits.batch_size = static_cast<std::size_t>(settings_.batch_size);
  return limits;
}

std::int64_t EventLogRetention::runOnce() {
  std::int64_t deleted = 0;
  if (settings_.enabled()) {
    const auto limits = this->limits();
    const auto consumers = consumers_();
    for (int batch = 0; batch < kMaxBatchesPerPass; ++batch) {
      const auto pass = store_.pruneEventLog(limits, consumers);
      deleted += pass.deleted;
      for (const auto& skipped : pass.skipped) {
        metrics_.add("ccm_retention_skipped_events_total", static_cast<double>(skipped.events),
                     {{"sink", skipped.sink}});
        logWithFields(retentionLog(), sdk::LogLevel::Warning,
                      "retention deleted events a sink had not passed (store.retention.force_after_seconds)",
                      {{"sink", skipped.sink},
                       {"first_sequence", std::to_string(skipped.first_sequence)},
                       {"last_sequence", std::to_string(skipped.last_sequence)},
                       {"events", std::to_string(skipped.events)}});
      }
      if (!pass.more) break;
    }
    if (deleted > 0) {
      metrics_.add("ccm_retention_deleted_events_total", static_cast<double>(deleted));
      if (const auto released = store_.releaseFreeSpace(); released > 0) {
        metrics_.add("ccm_store_pages_released_total", static_cast<double>(released));
      }
      logWithFields(retentionLog(), sdk::LogLevel::Debug, "retention pass", {{"deleted", std::to_string(deleted)}});
    }
  }
  metrics_.set("ccm_event_log_first_sequence", static_cast<double>(store_.firstSequence()));
  // Expired deduplication keys go at the rate ingest adds them (up to a
  // million a pass), each batch its own short transaction.
  const std::string now = sdk::formatRfc3339(now_());
  for (int batch = 0; batch < kMaxBatchesPerPass; ++batch) {
    if (store_.forgetExpiredIngress(now, kDedupBatch) < kDedupBatch) break;
  }
  pruneAttemptLog();
  return deleted;
}

void EventLogRetention::pruneAttemptLog() {
  // Always on, whatever the event log's limits: the attempt log grows with
  // every delivery.
  const auto batch_size = static_cast<std::size_t>(settings_.batch_size);
  const std::string before =
      sdk::formatRfc3339(now_() - std::chrono::seconds(settings_.attempt_log.max_age_seconds));
  std::size_t pruned = 0;
  for (int batch = 0; batch < kMaxBatchesPerPass; ++batch) {
    const auto deleted = store_.pruneDeliveryAttempts(before, batch_size);
    pruned += deleted;
    if (deleted < batch_size) break;
  }
  if (pruned > 0) metrics_.add("ccm_retention_deleted_attempts_total", static_cast<double>(pruned));
}

void EventLogRetention::start() {
  task_ = std::make_unique<PeriodicTask>(std::chrono::milliseconds(settings_.interval_ms), [this] {
    try {
      runOnce();
    } catch (const std::exception& e) {
      // The store may be away for a while; the next pass catches up.
      logWithFields(retentionLog(), sdk::LogLevel::Error, "retention pass failed", {{"error", e.what()}});
    }
  });
}

}  // namespace ccm::core
