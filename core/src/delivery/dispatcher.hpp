#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ccm/sdk/circuit_breaker.hpp"
#include "ccm/sdk/sink.hpp"
#include "delivery/attempt_record.hpp"
#include "delivery/delivery_settings.hpp"
#include "delivery/redrive_tracker.hpp"
#include "delivery/retry_policy.hpp"
#include "observability/metrics_registry.hpp"
#include "store/store.hpp"

namespace ccm::core {

// What GET /api/v1/sinks shows for one sink.
struct SinkStatus {
  std::string name;
  std::string plugin;
  std::int64_t cursor = 0;        // every event up to here is done
  std::int64_t log_position = 0;  // the log's last sequence when sampled
  std::size_t in_flight = 0;
  std::size_t waiting_retry = 0;
  std::string circuit = "closed";
  std::string last_error;
  std::string last_error_at;
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;  // retryable and permanent outcomes
  std::uint64_t dead_lettered = 0;
  bool leased = false;       // this replica delivers this sink
  std::string lease_holder;  // the replica that does ("" while none holds it)
  std::optional<SinkPause> pause;  // set while delivery is paused
};

// Pauses a sink durably, announcing it (Lifecycle::pauseSink with automatic
// set); the pause in force, or std::nullopt when it could not be stored.
using AutoPause = std::function<std::optional<SinkPause>(const std::string& sink, const std::string& reason)>;

// Delivers the event log to one sink, from the sink's durable cursor, with the
// shared retry policy (docs/delivery.md):
// - events with the same subject reach the sink in log order; a failing event
//   holds back later events of its own subject only;
// - retryable outcomes back off with full jitter (honouring Retry-After),
//   permanent ones and those past max attempts/age become dead letters;
// - a circuit breaker stops hammering a sink that keeps failing;
// - progress is stored after every batch, so a restart re-sends only what was
//   in flight;
// - a paused sink (store: sink_pauses, read every second) gets nothing new;
//   with delivery.pause_after_seconds the dispatcher pauses a sink that has
//   failed that long without one success, through `auto_pause`;
// - an operator's redrive (store: sink_redrives, read every second) sends a
//   range of the log again, taking turns with new events.
// One loop thread owns the state; `concurrency` worker threads call the sink.
class Dispatcher {
public:
  Dispatcher(std::string name, std::string plugin, std::shared_ptr<sdk::Sink> sink, DeliverySettings settings,
             Store& store, MetricsRegistry& metrics, std::string replica_id,
             std::chrono::milliseconds lease = std::chrono::milliseconds(4000), AutoPause auto_pause = {});
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void start();
  // Stops taking new batches, waits up to `deadline` for the ones in flight
  // and stores their outcomes. Idempotent.
  void stop(std::chrono::milliseconds deadline);
  // New events were committed: look at the log now rather than at the next poll.
  void wake();
  // The sink was paused or resumed (`pause` is now in force): status() says
  // so at once, and the loop reads the pause from the store now rather than
  // within a second.
  void pauseChanged(const std::optional<SinkPause>& pause);
  // A redrive of this sink was started or cancelled: the loop reads it from
  // the store now rather than within a second.
  void redriveChanged();
  SinkStatus status() const;
  const std::string& name() const { return name_; }

private:
  struct Pending {
    StoredEvent stored;
    int attempts = 0;
    std::string first_error;
    std::string first_error_at;
    std::string last_error;
    std::string last_error_at;
    std::chrono::steady_clock::time_point not_before{};
    std::chrono::steady_clock::time_point seen_at{};
    bool in_flight = false;
    bool replay = false;
  };
  struct Batch {
    std::vector<std::int64_t> sequences;
    std::vector<sdk::CloudEvent> events;
    bool replay = false;
    bool redrive = false;
  };
  struct Completion {
    Batch batch;
    std::vector<sdk::Outcome> outcomes;
    CallTiming timing;  // of the deliver() call, for the attempt log
  };

  void loop();
  void worker();
  bool holdLease();
  void recover();
  void refill();
  void loadReplays();
  void loadPause(bool force);
  void loadRedrive(bool force);
  void refillRedrive();
  void handOverRedriveProgress();
  void finishRedriveIfComplete();
  void pauseIfFailingTooLong();
  std::vector<Batch> selectBatches(std::chrono::steady_clock::time_point now);
  void applyCompletions(std::deque<Completion> done);
  std::int64_t cursorNow() const;
  void publishStatus();
  void mergeInto(DeliveryUpdate& into, DeliveryUpdate&& from);
  void saveProgress(bool force);
  void saver();
  void writeProgress(std::unique_lock<std::mutex>& lock);
  // When the loop should look again after selectBatches(now): never `now` or
  // earlier, at the latest after the poll interval.
  std::chrono::steady_clock::time_point nextWakeup(std::chrono::steady_clock::time_point now) const;

  const std::string name_;
  const std::string plugin_;
  std::shared_ptr<sdk::Sink> sink_;
  const DeliverySettings settings_;
  Store& store_;
  MetricsRegistry& metrics_;
  const std::string replica_id_;
  const std::chrono::milliseconds lease_;
  const AutoPause auto_pause_;

  // Loop-thread state.
  bool recovered_ = false;
  std::int64_t cursor_ = 0;

  // Progress handed to the saver thread (guarded by save_mutex_).
  std::mutex save_mutex_;
  std::condition_variable save_wake_;
  DeliveryUpdate unsaved_;
  std::chrono::steady_clock::time_point unsaved_since_{};
  std::int64_t handed_cursor_ = 0;
  bool save_requested_ = false;
  bool saving_ = false;
  bool saver_exit_ = false;
  std::thread saver_thread_;
  std::int64_t read_position_ = 0;
  std::map<std::int64_t, Pending> pending_;  // not yet done, above the cursor
  std::map<std::int64_t, Pending> replays_;  // dead letters sent again
  std::map<std::int64_t, Pending> redriven_;  // the active redrive's events, sent again
  std::optional<RedriveTracker> redrive_;
  std::string finished_redrive_id_;  // completed here; the store may not say so yet
  std::chrono::steady_clock::time_point next_redrive_poll_{};
  bool redrive_turn_ = false;  // the next batch comes from redriven_ when both have events ready
  std::set<std::int64_t> done_above_;        // done, above the cursor
  std::map<std::int64_t, RetryRecord> stored_retries_;
  sdk::CircuitBreaker breaker_;
  std::optional<RateLimiter> rate_limiter_;  // delivery.rate_limit, when set
  std::mt19937_64 random_;
  std::size_t batches_in_flight_ = 0;
  std::chrono::steady_clock::time_point next_replay_poll_{};
  std::optional<SinkPause> pause_;
  bool pause_known_ = false;  // pause_ has been read from the store
  std::chrono::steady_clock::time_point next_pause_poll_{};
  std::chrono::steady_clock::time_point next_auto_pause_{};  // after a failed attempt
  // Since the first retryable failure after the last success (wall clock, as pause_after_seconds).
  std::optional<std::chrono::system_clock::time_point> failing_since_;
  std::chrono::steady_clock::time_point lease_valid_until_{};
  std::chrono::steady_clock::time_point lease_renewed_at_{};
  std::string holder_in_metric_;
  std::chrono::steady_clock::time_point next_lag_sample_{};  // the replica ccm_sink_lease_holder names now
  struct Counters {
    std::uint64_t delivered = 0;
    std::uint64_t failed = 0;
    std::uint64_t dead_lettered = 0;
    std::string last_error;
    std::string last_error_at;
  } status_counters_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable loop_wake_;
  std::condition_variable worker_wake_;
  bool stopping_ = false;
  bool workers_exit_ = false;
  std::chrono::steady_clock::time_point stop_deadline_{};
  bool woken_ = false;
  bool pause_changed_ = false;
  bool redrive_changed_ = false;
  std::deque<Batch> work_;
  std::deque<Completion> completions_;
  SinkStatus status_;

  std::vector<std::thread> workers_;
  std::thread loop_thread_;
};

}  // namespace ccm::core
