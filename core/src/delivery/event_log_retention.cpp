#include "delivery/event_log_retention.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <utility>

#include "ccm/sdk/time.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {
namespace {

// The smallest batch, however slow the store.
constexpr std::size_t kMinBatch = 16;
// Expired deduplication keys: at most this many a batch.
constexpr std::size_t kDedupBatch = 10000;
// Free pages given back a transaction, at most (4 MiB of 4 KiB pages).
constexpr std::size_t kVacuumStep = 1024;
// Free pages are given back once they are more than 1/8 of the file, down to
// 1/16: what steady load frees it soon takes again, and the margin keeps the
// file from shrinking and regrowing every pass.
constexpr std::int64_t kReleaseAbove = 8;
constexpr std::int64_t kReleaseDownTo = 16;

Poco::Logger& retentionLog() {
  return Poco::Logger::get("ccm.retention");
}

}  // namespace

EventLogRetention::EventLogRetention(Store& store, MetricsRegistry& metrics, StoreConfig::Retention settings,
                                     std::function<std::vector<std::string>()> consumers, Pacing pacing, Now now)
    : store_(store),
      metrics_(metrics),
      settings_(settings),
      consumers_(std::move(consumers)),
      now_(std::move(now)),
      loop_budget_(pacing.loop_budget),
      events_(static_cast<std::size_t>(settings.batch_size), kMinBatch, pacing.batch_target),
      dedup_keys_(kDedupBatch, kMinBatch, pacing.batch_target),
      attempts_(static_cast<std::size_t>(settings.batch_size), kMinBatch, pacing.batch_target),
      vacuum_(kVacuumStep, kMinBatch, pacing.batch_target) {
  metrics_.describe("ccm_retention_deleted_events_total", sdk::MetricType::Counter,
                    "Events the event log's retention deleted.");
  metrics_.describe(
      "ccm_retention_skipped_events_total", sdk::MetricType::Counter,
      "Events retention deleted before a sink passed them (store.retention.force_after_seconds), by sink.");
  metrics_.describe("ccm_event_log_first_sequence", sdk::MetricType::Gauge,
                    "The oldest sequence still in the event log.");
  metrics_.describe("ccm_retention_deleted_attempts_total", sdk::MetricType::Counter,
                    "Delivery attempts deleted for their age (store.retention.attempt_log.max_age_seconds).");
  metrics_.describe("ccm_retention_behind", sdk::MetricType::Gauge,
                    "1 while retention has more to delete than its last pass could: ingest is outrunning it and "
                    "retention takes a larger share of the store's writer.");
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

template <class Batch>
EventLogRetention::LoopResult EventLogRetention::pacedLoop(RetentionPacer& pacer, Batch&& batch) {
  const auto deadline = RetentionPacer::Clock::now() + loop_budget_;
  LoopResult result;
  for (;;) {
    const BatchResult done = batch(pacer.size());
    pacer.pace(store_.lastWriteHeld());
    result.done += done.done;
    if (!done.more || RetentionPacer::Clock::now() >= deadline) {
      result.behind = done.more && done.late;
      pacer.loopEnded(result.behind);
      return result;
    }
  }
}

std::int64_t EventLogRetention::runOnce() {
  std::int64_t deleted = 0;
  behind_ = false;
  if (settings_.enabled()) {
    auto limits = this->limits();
    const auto consumers = consumers_();
    const auto events = pacedLoop(events_, [&](std::size_t size) {
      limits.batch_size = size;
      const auto pass = store_.pruneEventLog(limits, consumers);
      // Counted as each batch commits: a long catch-up shows its progress.
      if (pass.deleted > 0) metrics_.add("ccm_retention_deleted_events_total", static_cast<double>(pass.deleted));
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
      return BatchResult{pass.deleted, pass.more, pass.more};
    });
    deleted = events.done;
    behind_ = events.behind;
    if (deleted > 0) {
      logWithFields(retentionLog(), sdk::LogLevel::Debug, "retention pass",
                    {{"deleted", std::to_string(deleted)},
                     {"batch_size", std::to_string(events_.size())},
                     {"behind", events.behind ? "true" : "false"}});
    }
    releaseFreeSpace();
  }
  metrics_.set("ccm_event_log_first_sequence", static_cast<double>(store_.firstSequence()));
  // Expired deduplication keys go at the rate ingest adds them.
  const std::string now = sdk::formatRfc3339(now_());
  behind_ |= pacedLoop(dedup_keys_, [&](std::size_t size) {
               const auto pass = store_.forgetExpiredIngress(now, size);
               return BatchResult{static_cast<std::int64_t>(pass.forgotten), pass.more, pass.late};
             }).behind;
  pruneAttemptLog();
  metrics_.set("ccm_retention_behind", behind_ ? 1.0 : 0.0);
  return deleted;
}

void EventLogRetention::releaseFreeSpace() {
  const auto space = store_.fileSpace();
  if (space.free_pages == 0 || space.free_pages * kReleaseAbove < space.pages) return;
  // Releasing r pages takes r off both counts: free - r <= (pages - r) / 16.
  std::int64_t surplus = (kReleaseDownTo * space.free_pages - space.pages + kReleaseDownTo - 2) / (kReleaseDownTo - 1);
  const auto released = pacedLoop(vacuum_, [&](std::size_t size) {
                          const auto step = std::min(static_cast<std::int64_t>(size), surplus);
                          const auto done = store_.releaseFreePages(step);
                          surplus -= done;
                          const bool more = done == step && surplus > 0;
                          return BatchResult{done, more, more};
                        }).done;
  if (released > 0) metrics_.add("ccm_store_pages_released_total", static_cast<double>(released));
}

void EventLogRetention::pruneAttemptLog() {
  // Always on, whatever the event log's limits: the attempt log grows with
  // every delivery.
  const std::string before = sdk::formatRfc3339(now_() - std::chrono::seconds(settings_.attempt_log.max_age_seconds));
  const auto pruned = pacedLoop(attempts_, [&](std::size_t size) {
    const auto deleted = store_.pruneDeliveryAttempts(before, size);
    if (deleted > 0) metrics_.add("ccm_retention_deleted_attempts_total", static_cast<double>(deleted));
    const bool more = deleted == size;
    return BatchResult{static_cast<std::int64_t>(deleted), more, more};
  });
  behind_ |= pruned.behind;
}

void EventLogRetention::start() {
  // A pass that ends behind is followed by the next at once.
  task_ = std::make_unique<PeriodicTask>(
      std::chrono::milliseconds(settings_.interval_ms), std::function<bool()>([this] {
        try {
          runOnce();
          return behind_;
        } catch (const std::exception& e) {
          // The store may be away for a while; the next pass catches up.
          logWithFields(retentionLog(), sdk::LogLevel::Error, "retention pass failed", {{"error", e.what()}});
          return false;
        }
      }));
}

}  // namespace ccm::core
