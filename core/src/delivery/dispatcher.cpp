#include "delivery/dispatcher.hpp"

#include <Poco/Logger.h>

#include <limits>

#include "ccm/sdk/time.hpp"
#include "ccm/sdk/trace_context.hpp"
#include "observability/json_log.hpp"
#include "observability/thread_name.hpp"

namespace ccm::core {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(200);
constexpr auto kReplayPollInterval = std::chrono::seconds(1);
constexpr auto kPausePollInterval = std::chrono::seconds(1);
constexpr auto kAutoPauseRetry = std::chrono::seconds(5);
constexpr std::size_t kReadChunk = 1000;
constexpr auto kSaveInterval = std::chrono::milliseconds(20);

Poco::Logger& log() { return Poco::Logger::get("ccm.delivery"); }

// The fields of a log line about one event at a sink: with its trace id
// (its Distributed Tracing extension) when it has a valid one.
sdk::LogFields eventFields(const std::string& sink, std::int64_t sequence, const sdk::CloudEvent& event,
                           const std::string& error) {
  sdk::LogFields fields{{"sink", sink}, {"sequence", std::to_string(sequence)}, {"id", event.id}, {"error", error}};
  if (auto trace = sdk::readTraceExtensions(event).context) fields.emplace_back("trace_id", trace->trace_id);
  return fields;
}

}  // namespace

Dispatcher::Dispatcher(std::string name, std::string plugin, std::shared_ptr<sdk::Sink> sink,
                       DeliverySettings settings, Store& store, MetricsRegistry& metrics, std::string replica_id,
                       std::chrono::milliseconds lease, AutoPause auto_pause)
    : name_(std::move(name)),
      plugin_(std::move(plugin)),
      sink_(std::move(sink)),
      settings_(std::move(settings)),
      store_(store),
      metrics_(metrics),
      replica_id_(std::move(replica_id)),
      lease_(lease),
      auto_pause_(std::move(auto_pause)),
      breaker_({settings_.breaker_failure_threshold, settings_.breaker_open}),
      random_(std::random_device{}()) {
  if (settings_.rate_limit) rate_limiter_.emplace(*settings_.rate_limit, SteadyClock::now());
  status_.name = name_;
  status_.plugin = plugin_;
  metrics_.describe("ccm_sink_delivered_total", sdk::MetricType::Counter, "Events a sink acknowledged.");
  metrics_.describe("ccm_sink_failures_total", sdk::MetricType::Counter, "Failed delivery outcomes, by kind.");
  metrics_.describe("ccm_sink_dead_letters_total", sdk::MetricType::Counter, "Events moved to the dead-letter table.");
  metrics_.describe("ccm_sink_in_flight", sdk::MetricType::Gauge, "Events handed to the sink and not yet answered.");
  metrics_.describe("ccm_sink_lease_holder", sdk::MetricType::Gauge,
                    "1 for the replica that holds the sink's lease (as this replica sees the store), 0 for one that held it before.");
  metrics_.describe("ccm_sink_lag_events", sdk::MetricType::Gauge, "Events in the log beyond the sink's cursor.");
  metrics_.describe("ccm_sink_circuit_open", sdk::MetricType::Gauge, "1 while the sink's circuit breaker is open.");
  metrics_.describe("ccm_sink_paused", sdk::MetricType::Gauge,
                    "1 while delivery to the sink is paused (by an operator or delivery.pause_after_seconds).");
  metrics_.set("ccm_sink_paused", 0, {{"sink", name_}});
  metrics_.describe("ccm_sink_redrive_events_total", sdk::MetricType::Counter,
                    "Events of a redrive that reached an outcome, by outcome (delivered, dead_lettered).");
  metrics_.describe("ccm_sink_delivery_latency_seconds", sdk::MetricType::Histogram,
                    "From commit to the event log to the sink's acknowledgement.");
}

Dispatcher::~Dispatcher() { stop(std::chrono::milliseconds(0)); }

void Dispatcher::start() {
  // Before any thread runs: a sink paused before a restart shows so at once.
  try {
    loadPause(true);
    status_.pause = pause_;
  } catch (const std::exception&) {
    // The store is away: pause_known_ stays false, and nothing is sent
    // until the loop has read the pause.
  }
  saver_thread_ = std::thread([this] { saver(); });
  const std::size_t threads = std::max<std::size_t>(1, settings_.concurrency);
  for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { worker(); });
  loop_thread_ = std::thread([this] { loop(); });
}

void Dispatcher::stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !loop_thread_.joinable()) return;
    stopping_ = true;
    stop_deadline_ = SteadyClock::now() + deadline;
  }
  loop_wake_.notify_all();
  if (loop_thread_.joinable()) loop_thread_.join();
  {
    std::lock_guard lock(mutex_);
    workers_exit_ = true;
  }
  worker_wake_.notify_all();
  for (auto& thread : workers_) thread.join();
  workers_.clear();
  {
    std::lock_guard lock(save_mutex_);
    saver_exit_ = true;
  }
  save_wake_.notify_all();
  if (saver_thread_.joinable()) saver_thread_.join();
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  loop_wake_.notify_one();
}

void Dispatcher::pauseChanged(const std::optional<SinkPause>& pause) {
  {
    std::lock_guard lock(mutex_);
    status_.pause = pause;
    pause_changed_ = true;
  }
  loop_wake_.notify_one();
}

void Dispatcher::redriveChanged() {
  {
    std::lock_guard lock(mutex_);
    redrive_changed_ = true;
  }
  loop_wake_.notify_one();
}

SinkStatus Dispatcher::status() const {
  SinkStatus status;
  {
    std::lock_guard lock(mutex_);
    status = status_;
  }
  try {
    status.log_position = store_.lastSequence();
  } catch (const std::exception&) {
    status.log_position = status.cursor;
  }
  return status;
}

void Dispatcher::worker() {
  nameCurrentThread("ccm-send:" + name_);
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mutex_);
      worker_wake_.wait(lock, [this] { return !work_.empty() || workers_exit_; });
      if (work_.empty()) return;
      batch = std::move(work_.front());
      work_.pop_front();
    }
    std::vector<sdk::Outcome> outcomes;
    CallTiming timing{std::chrono::system_clock::now(), {}};
    const auto started = SteadyClock::now();
    try {
      outcomes = sink_->deliver(batch.events);
    } catch (const std::exception& e) {
      outcomes.assign(batch.events.size(), sdk::Outcome::retryable(std::string("sink threw: ") + e.what()));
    } catch (...) {
      outcomes.assign(batch.events.size(), sdk::Outcome::retryable("sink threw a non-standard exception"));
    }
    if (outcomes.size() != batch.events.size()) {
      const auto message = "sink returned " + std::to_string(outcomes.size()) + " outcomes for " +
                           std::to_string(batch.events.size()) + " events";
      outcomes.assign(batch.events.size(), sdk::Outcome::retryable(message));
    }
    timing.latency = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started);
    {
      std::lock_guard lock(mutex_);
      completions_.push_back({std::move(batch), std::move(outcomes), timing});
    }
    loop_wake_.notify_one();
  }
}

bool Dispatcher::holdLease() {
  // Renewed every quarter of its length, so a holder that misses a renewal or
  // two (a slow store) keeps it; validity counts from before the write, so
  // this replica stops starting batches no later than the stored expiry.
  const auto now = SteadyClock::now();
  if (now < lease_renewed_at_ + lease_ / 4 && now < lease_valid_until_) return true;
  const auto wall = std::chrono::system_clock::now();
  try {
    if (store_.acquireSinkLease(name_, replica_id_, sdk::formatRfc3339(wall), sdk::formatRfc3339(wall + lease_))) {
      lease_valid_until_ = now + lease_;
      lease_renewed_at_ = now;
      return true;
    }
  } catch (const std::exception& e) {
    logWithFields(log(), sdk::LogLevel::Error, "cannot renew sink lease", {{"sink", name_}, {"error", e.what()}});
  }
  lease_valid_until_ = {};
  return false;
}

void Dispatcher::recover() {
  const std::int64_t start = settings_.start_from_beginning ? 0 : store_.lastSequence();
  const SinkProgress progress = store_.loadSinkProgress(name_, start);
  cursor_ = handed_cursor_ = read_position_ = progress.cursor;
  done_above_ = {progress.delivered_above.begin(), progress.delivered_above.end()};
  stored_retries_.clear();
  for (const auto& retry : progress.retries) stored_retries_[retry.sequence] = retry;
  pending_.clear();
  replays_.clear();
  redriven_.clear();
  redrive_.reset();  // read again from the store, where the last holder left it
  next_redrive_poll_ = {};
  failing_since_.reset();  // another replica, or another life, may have delivered meanwhile
  recovered_ = true;
  logWithFields(log(), sdk::LogLevel::Info, "sink dispatcher resumed",
                {{"sink", name_},
                 {"cursor", std::to_string(cursor_)},
                 {"delivered_above", std::to_string(done_above_.size())},
                 {"retrying", std::to_string(stored_retries_.size())}});
}

void Dispatcher::refill() {
  const std::size_t capacity = std::max<std::size_t>(kReadChunk, settings_.batch_size * settings_.concurrency * 4);
  while (pending_.size() < capacity) {
    const auto events = store_.readEvents({read_position_, "", "", kReadChunk});
    for (const auto& stored : events) {
      read_position_ = stored.sequence;
      // The pause row commits with this event: read it now, so nothing
      // committed after the pause is sent, whatever the poll's timing.
      const auto& event = stored.event;
      if ((event.type == kSinkPausedEventType || event.type == kSinkResumedEventType) && event.subject == name_) {
        loadPause(true);
      }
      if (done_above_.count(stored.sequence) != 0) continue;
      if (!settings_.filter.matches(stored.event)) {
        done_above_.insert(stored.sequence);
        continue;
      }
      Pending pending;
      pending.stored = stored;
      pending.seen_at = SteadyClock::now();
      if (auto retry = stored_retries_.find(stored.sequence); retry != stored_retries_.end()) {
        pending.attempts = retry->second.attempts;
        pending.first_error = retry->second.first_error;
        pending.first_error_at = retry->second.first_error_at;
        pending.last_error = retry->second.last_error;
        pending.last_error_at = retry->second.last_error_at;
      }
      pending_.emplace(stored.sequence, std::move(pending));
    }
    if (events.size() < kReadChunk) break;
  }
  // Filtered-out stretches move the cursor without any batch; store it so a
  // restart does not re-read them.
  saveProgress(false);
}

void Dispatcher::loadReplays() {
  const auto now = SteadyClock::now();
  if (now < next_replay_poll_) return;
  next_replay_poll_ = now + kReplayPollInterval;
  // A plain read: polling must not take the store's write lock every second.
  for (auto& [sequence, stored] : store_.sinkReplays(name_)) {
    if (replays_.count(sequence) != 0) continue;
    if (stored) {
      Pending pending;
      pending.stored = std::move(*stored);
      pending.replay = true;
      pending.seen_at = now;
      replays_.emplace(sequence, std::move(pending));
    } else {
      store_.applyDelivery({name_, -1, {}, {}, {}, {}, {sequence}, {}, {}});  // the event is gone; drop the request
    }
  }
}

void Dispatcher::loadPause(bool force) {
  const auto now = SteadyClock::now();
  if (!force && pause_known_ && now < next_pause_poll_) return;
  std::optional<SinkPause> pause = store_.sinkPause(name_);
  // Only after a read that worked: a failed one is tried again next turn.
  next_pause_poll_ = now + kPausePollInterval;
  const bool first_read = !pause_known_;
  pause_known_ = true;
  const bool was_paused = pause_.has_value();
  if (pause.has_value() == was_paused && !first_read) {
    pause_ = std::move(pause);
    return;
  }
  if (pause) {
    logWithFields(log(), sdk::LogLevel::Warning, "sink paused",
                  {{"sink", name_},
                   {"reason", pause->reason},
                   {"automatic", pause->automatic ? "true" : "false"},
                   {"paused_at", pause->paused_at}});
  } else if (was_paused) {
    logWithFields(log(), sdk::LogLevel::Info, "sink resumed", {{"sink", name_}, {"paused_at", pause_->paused_at}});
    failing_since_.reset();  // a resumed sink gets the whole pause_after again
  }
  pause_ = std::move(pause);
  metrics_.set("ccm_sink_paused", pause_ ? 1 : 0, {{"sink", name_}});
}

void Dispatcher::pauseIfFailingTooLong() {
  // Nothing left to deliver: the failures are over (dead-lettered), whatever comes next.
  if (pending_.empty() && replays_.empty() && redriven_.empty()) failing_since_.reset();
  if (settings_.pause_after.count() <= 0 || pause_ || !failing_since_ || !auto_pause_) return;
  const auto failing = std::chrono::system_clock::now() - *failing_since_;
  if (failing < settings_.pause_after || SteadyClock::now() < next_auto_pause_) return;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(failing).count();
  const std::string reason = "failed for " + std::to_string(seconds) +
                             " s without a success (delivery.pause_after_seconds " +
                             std::to_string(settings_.pause_after.count()) +
                             "); last error: " + status_counters_.last_error;
  if (auto_pause_(name_, reason)) {
    loadPause(true);
  } else {
    next_auto_pause_ = SteadyClock::now() + kAutoPauseRetry;  // the store is away; it logged why
  }
}

std::int64_t Dispatcher::cursorNow() const {
  return pending_.empty() ? read_position_ : pending_.begin()->first - 1;
}

std::vector<Dispatcher::Batch> Dispatcher::selectBatches(std::chrono::steady_clock::time_point now) {
  std::vector<Batch> batches;
  // Paused, or not yet known to be unpaused: what is in flight finishes, nothing new starts.
  if (pause_ || !pause_known_) return batches;
  std::size_t limit = settings_.batch_size;
  if (const auto sink_limit = sink_->maxBatchSize(); sink_limit > 0) limit = std::min(limit, sink_limit);

  // How many more events the rate limit lets go now.
  const auto rate_allows = [&]() -> std::size_t {
    return rate_limiter_ ? rate_limiter_->available(now) : std::numeric_limits<std::size_t>::max();
  };
  const auto spend = [&](std::size_t events) {
    if (rate_limiter_) rate_limiter_->take(events);
  };

  for (auto& [sequence, replay] : replays_) {
    if (batches_in_flight_ + batches.size() >= settings_.concurrency) return batches;
    if (replay.in_flight || replay.not_before > now || !breaker_.allows(now)) continue;
    if (rate_allows() == 0) return batches;
    spend(1);
    replay.in_flight = true;
    batches.push_back({{sequence}, {replay.stored.event}, true});
  }

  // The next batch of `entries`. Sets `blocked` when the breaker or the rate
  // limit lets nothing go now.
  bool blocked = false;
  const auto nextBatch = [&](std::map<std::int64_t, Pending>& entries, bool redrive) -> std::optional<Batch> {
    // Subjects held back by an earlier event that is in flight or waiting to
    // be retried: their later events must wait (per-subject order).
    std::set<std::string> held;
    std::vector<Pending*> chosen;
    std::size_t batch_limit = limit;
    bool breaker_checked = false;
    for (auto& [sequence, pending] : entries) {
      const std::string& subject = pending.stored.event.subject ? *pending.stored.event.subject : std::string();
      const bool ready = !pending.in_flight && pending.not_before <= now;
      if (!ready || (!subject.empty() && held.count(subject) != 0)) {
        if (!subject.empty()) held.insert(subject);
        continue;
      }
      if (!breaker_checked) {
        blocked = !breaker_.allows(now);
        if (blocked) return std::nullopt;
        if (breaker_.probing()) batch_limit = 1;
        batch_limit = std::min(batch_limit, rate_allows());
        blocked = batch_limit == 0;
        if (blocked) return std::nullopt;
        breaker_checked = true;
      }
      chosen.push_back(&pending);
      if (chosen.size() >= batch_limit) break;
    }
    if (chosen.empty()) return std::nullopt;
    // Linger: a partial batch waits a little for company, unless it is old
    // (redriven events are old by definition).
    if (!redrive && chosen.size() < batch_limit && settings_.linger.count() > 0 &&
        now - chosen.front()->seen_at < settings_.linger) {
      return std::nullopt;
    }
    spend(chosen.size());
    Batch batch;
    batch.redrive = redrive;
    for (auto* pending : chosen) {
      pending->in_flight = true;
      batch.sequences.push_back(pending->stored.sequence);
      batch.events.push_back(pending->stored.event);
    }
    return batch;
  };

  // New and redriven events take turns, so that neither waits for the other
  // to run out (docs/delivery.md#redrive).
  bool stream_idle = false;
  bool redrive_idle = redriven_.empty();
  while (batches_in_flight_ + batches.size() < settings_.concurrency && !(stream_idle && redrive_idle)) {
    const bool redrive_first = stream_idle || (redrive_turn_ && !redrive_idle);
    auto batch = redrive_first ? nextBatch(redriven_, true) : nextBatch(pending_, false);
    if (blocked) break;
    if (!batch) {
      (redrive_first ? redrive_idle : stream_idle) = true;
      continue;
    }
    redrive_turn_ = !batch->redrive;
    batches.push_back(std::move(*batch));
  }
  return batches;
}

void Dispatcher::applyCompletions(std::deque<Completion> done) {
  DeliveryUpdate update;
  update.sink = name_;
  const auto steady_now = SteadyClock::now();
  const auto wall_now = std::chrono::system_clock::now();
  const std::string now_text = sdk::formatRfc3339(wall_now);
  const sdk::MetricLabels labels{{"sink", name_}};
  std::string last_error;

  for (auto& completion : done) {
    --batches_in_flight_;
    const bool redrive = completion.batch.redrive;
    auto& entries = redrive ? redriven_ : completion.batch.replay ? replays_ : pending_;
    bool delivered_any = false;
    bool retryable_any = false;
    const std::string attempted_at = attemptTime(completion.timing.started_at);
    for (std::size_t i = 0; i < completion.batch.sequences.size(); ++i) {
      const std::int64_t sequence = completion.batch.sequences[i];
      auto it = entries.find(sequence);
      if (it == entries.end()) continue;
      if (redrive && !redrive_) {
        entries.erase(it);  // the redrive was cancelled while this batch was out
        continue;
      }
      Pending& pending = it->second;
      pending.in_flight = false;
      const sdk::Outcome& outcome = completion.outcomes[i];
      update.attempts.push_back(attemptRecord(name_, sequence, pending.attempts + 1, completion.batch.replay, outcome,
                                              attempted_at, completion.timing));
      // Written by the store with sdk::formatRfc3339; unreadable, it would count as just now.
      const auto recorded_at = sdk::parseRfc3339(pending.stored.recorded_at).value_or(wall_now);
      const bool had_retries = pending.attempts > 0 || stored_retries_.count(sequence) != 0;
      auto finish = [&](bool delivered) {
        if (had_retries) update.retries_done.push_back(sequence);
        stored_retries_.erase(sequence);
        if (completion.batch.replay) {
          update.replays_done.push_back(sequence);
        } else if (redrive) {
          redrive_->finished(sequence, delivered);
          metrics_.add("ccm_sink_redrive_events_total", 1,
                       {{"sink", name_}, {"outcome", delivered ? "delivered" : "dead_lettered"}});
        } else {
          done_above_.insert(sequence);
        }
        entries.erase(it);
      };
      if (outcome.kind == sdk::Outcome::Kind::Delivered) {
        delivered_any = true;
        ++status_counters_.delivered;
        metrics_.add("ccm_sink_delivered_total", 1, labels);
        if (!redrive) {
          metrics_.observe("ccm_sink_delivery_latency_seconds",
                           std::chrono::duration<double>(wall_now - recorded_at).count(), labels);
        }
        if (!completion.batch.replay && !redrive) update.delivered.push_back(sequence);
        finish(true);
        continue;
      }
      ++status_counters_.failed;
      const bool retryable = outcome.kind == sdk::Outcome::Kind::Retryable;
      metrics_.add("ccm_sink_failures_total", 1, {{"sink", name_}, {"kind", retryable ? "retryable" : "permanent"}});
      ++pending.attempts;
      if (pending.first_error.empty()) {
        pending.first_error = outcome.message;
        pending.first_error_at = now_text;
      }
      pending.last_error = outcome.message;
      pending.last_error_at = now_text;
      last_error = outcome.message;
      retryable_any = retryable_any || retryable;
      if (log().debug()) {
        logWithFields(log(), sdk::LogLevel::Debug,
                      retryable ? "event delivery failed; retryable" : "event delivery failed",
                      eventFields(name_, sequence, pending.stored.event, outcome.message));
      }
      // A redriven event is old by definition: its age counts from when the redrive read it.
      const bool too_old = redrive ? steady_now - pending.seen_at > settings_.max_age
                                   : wall_now - recorded_at > settings_.max_age;
      if (retryable && pending.attempts < settings_.max_attempts && !too_old) {
        pending.not_before = steady_now + retryDelay(settings_, pending.attempts, outcome.retry_after, random_);
        RetryRecord record{sequence, pending.attempts, pending.first_error, pending.first_error_at,
                           pending.last_error, pending.last_error_at};
        if (redrive) continue;  // its retries live in memory: a restart resumes from the redrive's position
        stored_retries_[sequence] = record;
        if (!completion.batch.replay) update.retries.push_back(record);
        continue;
      }
      std::string reason = pending.last_error;
      if (retryable) reason += too_old ? " (gave up: older than max age)" : " (gave up after max attempts)";
      if (redrive) reason += " (redrive " + redrive_->redrive().id + ")";
      update.dead.push_back({"", name_, sequence, pending.stored.event, pending.attempts, pending.first_error,
                             pending.first_error_at, reason, pending.last_error_at, now_text});
      ++status_counters_.dead_lettered;
      metrics_.add("ccm_sink_dead_letters_total", 1, labels);
      logWithFields(log(), sdk::LogLevel::Warning, "event dead-lettered",
                    eventFields(name_, sequence, pending.stored.event, reason));
      finish(false);
    }
    // Permanent failures are the event's fault, not the sink's: only
    // retryable ones count against the breaker and towards pause_after.
    if (delivered_any) {
      breaker_.recordSuccess();
      failing_since_.reset();
    } else if (retryable_any) {
      breaker_.recordFailure(steady_now);
      if (!failing_since_) failing_since_ = wall_now;
    }
  }

  // The redrive's position goes in the same write as the dead letters of its outcomes.
  if (redrive_) {
    if (auto progress = redrive_->takeProgress()) update.redrives.push_back(std::move(*progress));
  }
  {
    std::lock_guard lock(save_mutex_);
    mergeInto(unsaved_, std::move(update));
    unsaved_since_ = steady_now;
  }
  finishRedriveIfComplete();
  saveProgress(false);
  if (!last_error.empty()) {
    status_counters_.last_error = last_error;
    status_counters_.last_error_at = now_text;
  }
}

void Dispatcher::mergeInto(DeliveryUpdate& into, DeliveryUpdate&& from) {
  auto append = [](auto& to, auto& more) { to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end())); };
  into.sink = name_;
  append(into.delivered, from.delivered);
  append(into.retries, from.retries);
  append(into.retries_done, from.retries_done);
  append(into.dead, from.dead);
  append(into.replays_done, from.replays_done);
  append(into.redrives, from.redrives);
  append(into.attempts, from.attempts);
}

void Dispatcher::saveProgress(bool force) {
  // The loop only hands progress over; the saver thread writes it, so a slow
  // fsync never stalls delivery. Under load one write per kSaveInterval
  // carries many batches, leaving the store to the commits the API waits on.
  cursor_ = cursorNow();
  done_above_.erase(done_above_.begin(), done_above_.upper_bound(cursor_));
  {
    std::lock_guard lock(save_mutex_);
    if (unsaved_since_ == SteadyClock::time_point{} && cursor_ <= handed_cursor_) return;
    unsaved_.sink = name_;
    unsaved_.cursor = std::max(unsaved_.cursor, cursor_);
    handed_cursor_ = std::max(handed_cursor_, cursor_);
    unsaved_since_ = {};
    save_requested_ = true;
  }
  save_wake_.notify_one();
  if (force) {
    std::unique_lock lock(save_mutex_);
    save_wake_.wait(lock, [this] { return !save_requested_ && !saving_; });
    if (!unsaved_.delivered.empty() || unsaved_.cursor >= 0) writeProgress(lock);
  }
}

void Dispatcher::writeProgress(std::unique_lock<std::mutex>& lock) {
  DeliveryUpdate update = std::move(unsaved_);
  unsaved_ = {};
  saving_ = true;
  lock.unlock();
  std::erase_if(update.delivered, [&update](std::int64_t sequence) { return sequence <= update.cursor; });
  bool saved = true;
  try {
    store_.applyDelivery(update);
  } catch (const std::exception& e) {
    saved = false;
    logWithFields(log(), sdk::LogLevel::Error, "cannot store delivery progress", {{"sink", name_}, {"error", e.what()}});
  }
  lock.lock();
  saving_ = false;
  if (!saved) {
    // Keep it for the next attempt; unsaved outcomes are re-sent after a
    // crash, so at-least-once holds either way.
    DeliveryUpdate retry = std::move(update);
    mergeInto(retry, std::move(unsaved_));
    retry.cursor = std::max(retry.cursor, unsaved_.cursor);
    unsaved_ = std::move(retry);
  }
  save_wake_.notify_all();
}

void Dispatcher::saver() {
  nameCurrentThread("ccm-save:" + name_);
  std::unique_lock lock(save_mutex_);
  for (;;) {
    save_wake_.wait(lock, [this] { return save_requested_ || saver_exit_; });
    if (!save_requested_ && saver_exit_) return;
    save_requested_ = false;
    writeProgress(lock);
    // Coalesce: whatever arrives during the pause goes in the next write.
    if (!saver_exit_) save_wake_.wait_for(lock, kSaveInterval, [this] { return saver_exit_; });
  }
}

std::chrono::steady_clock::time_point Dispatcher::nextWakeup(std::chrono::steady_clock::time_point now) const {
  // `now` is the time selectBatches decided at. What it could not send then
  // waits for something later: a retry's not_before, the breaker's reopen
  // time, a lingering batch's deadline, or a completion or new events (both
  // wake the loop). A time not after `now` would not change that decision
  // and would only turn the loop again at once, so only later times count
  // (an open breaker past its period with nothing ready to try stays open).
  auto wakeup = now + kPollInterval;
  const auto consider = [&](std::chrono::steady_clock::time_point at) {
    if (at > now && at < wakeup) wakeup = at;
  };
  for (const auto* entries : {&pending_, &replays_, &redriven_}) {
    for (const auto& [sequence, pending] : *entries) {
      if (pending.in_flight) continue;
      if (pending.not_before > now) consider(pending.not_before);
      else if (entries == &pending_ && settings_.linger.count() > 0) consider(pending.seen_at + settings_.linger);
    }
  }
  if (breaker_.state() == sdk::CircuitBreaker::State::Open) consider(breaker_.reopensAt());
  if (rate_limiter_) consider(rate_limiter_->nextAvailableAt(now));
  return wakeup;
}

void Dispatcher::publishStatus() {
  std::size_t in_flight = 0;
  std::size_t waiting = 0;
  for (const auto* entries : {&pending_, &replays_, &redriven_}) {
    for (const auto& [sequence, pending] : *entries) {
      in_flight += pending.in_flight ? 1 : 0;
      waiting += !pending.in_flight && pending.attempts > 0 ? 1 : 0;
    }
  }
  const sdk::MetricLabels labels{{"sink", name_}};
  metrics_.set("ccm_sink_in_flight", static_cast<double>(in_flight), labels);
  metrics_.set("ccm_sink_circuit_open", breaker_.state() == sdk::CircuitBreaker::State::Open ? 1 : 0, labels);
  const bool leased = lease_valid_until_ > SteadyClock::now();
  // A standby shows what the holder stored: the shared cursor (so its lag is
  // the sink's, not the whole log) and who holds the lease.
  SharedSinkState shared{cursor_, leased ? replica_id_ : ""};
  if (!leased) {
    try {
      shared = store_.sharedSinkState(name_);
    } catch (const std::exception&) {
      shared.cursor = status_.cursor;  // the store is away: keep the last reading
    }
  }
  if (shared.lease_owner != holder_in_metric_) {
    if (!holder_in_metric_.empty()) {
      metrics_.set("ccm_sink_lease_holder", 0, {{"sink", name_}, {"replica", holder_in_metric_}});
    }
    if (!shared.lease_owner.empty()) {
      metrics_.set("ccm_sink_lease_holder", 1, {{"sink", name_}, {"replica", shared.lease_owner}});
    }
    holder_in_metric_ = shared.lease_owner;
  }
  if (const auto now = SteadyClock::now(); now >= next_lag_sample_) {
    next_lag_sample_ = now + std::chrono::seconds(1);  // a read of the store, not one per loop turn
    try {
      metrics_.set("ccm_sink_lag_events",
                   static_cast<double>(std::max<std::int64_t>(0, store_.lastSequence() - shared.cursor)), labels);
    } catch (const std::exception&) {
    }
  }
  std::lock_guard lock(mutex_);
  status_.cursor = shared.cursor;
  status_.lease_holder = shared.lease_owner;
  status_.in_flight = in_flight;
  status_.waiting_retry = waiting;
  status_.circuit = sdk::toString(breaker_.state());
  status_.delivered = status_counters_.delivered;
  status_.failed = status_counters_.failed;
  status_.dead_lettered = status_counters_.dead_lettered;
  status_.last_error = status_counters_.last_error;
  status_.last_error_at = status_counters_.last_error_at;
  status_.leased = leased;
  // A pause or resume the API announced but this loop has not read yet is newer.
  if (!pause_changed_) status_.pause = pause_;
}

void Dispatcher::loop() {
  nameCurrentThread("ccm-sink:" + name_);
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    std::deque<Completion> done;
    auto wakeup = SteadyClock::now() + std::chrono::seconds(1);
    try {
      bool force_pause_read = false;
      bool force_redrive_read = false;
      {
        std::lock_guard lock(mutex_);
        std::swap(force_pause_read, pause_changed_);
        std::swap(force_redrive_read, redrive_changed_);
      }
      loadPause(force_pause_read);
      if (holdLease()) {
        if (!recovered_) recover();
        refill();
        loadReplays();
        loadRedrive(force_redrive_read);
        refillRedrive();
        pauseIfFailingTooLong();
        const auto now = SteadyClock::now();
        auto batches = selectBatches(now);
        if (!batches.empty()) {
          std::lock_guard lock(mutex_);
          for (auto& batch : batches) work_.push_back(std::move(batch));
          batches_in_flight_ += batches.size();
        }
        worker_wake_.notify_all();
        wakeup = nextWakeup(now);
      } else {
        recovered_ = false;  // another replica may have moved the cursor meanwhile
        // A standby tries again soon enough to take a dead holder's sink within
        // a quarter of the lease after it expired.
        wakeup = SteadyClock::now() + std::min<std::chrono::milliseconds>(std::chrono::seconds(1), lease_ / 4);
      }
    } catch (const std::exception& e) {
      logWithFields(log(), sdk::LogLevel::Error, "delivery loop failed; retrying", {{"sink", name_}, {"error", e.what()}});
      recovered_ = batches_in_flight_ > 0 && recovered_;
    }
    {
      std::unique_lock lock(mutex_);
      loop_wake_.wait_until(lock, wakeup,
                            [this] {
                              return stopping_ || woken_ || pause_changed_ || redrive_changed_ || !completions_.empty();
                            });
      woken_ = false;
      done.swap(completions_);
    }
    if (!done.empty()) applyCompletions(std::move(done));
    saveProgress(false);
    publishStatus();
  }
  // Shutdown: let the batches in flight finish (within the deadline) so their
  // outcomes are stored, then hand the sink to another replica.
  while (batches_in_flight_ > 0) {
    std::deque<Completion> done;
    {
      std::unique_lock lock(mutex_);
      if (!loop_wake_.wait_until(lock, stop_deadline_, [this] { return !completions_.empty(); })) break;
      done.swap(completions_);
    }
    applyCompletions(std::move(done));
  }
  saveProgress(true);
  publishStatus();
  try {
    store_.releaseSinkLease(name_, replica_id_);
  } catch (const std::exception&) {
    // The lease expires on its own.
  }
}

}  // namespace ccm::core
