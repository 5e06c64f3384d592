// The dispatcher's loop against an in-memory store: how often it looks at the
// store while it has nothing it may send.
#include "delivery/dispatcher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "ccm/sdk/time.hpp"

namespace ccm::core {
namespace {

using namespace std::chrono_literals;

// The event log and one sink's delivery state, in memory; counts the reads
// of the log (one per turn of the dispatcher's loop).
class MemoryStore final : public Store {
public:
  explicit MemoryStore(std::vector<StoredEvent> events) : events_(std::move(events)) {}

  std::atomic<int> reads{0};
  // The pause in force once the log has been read `reads` times or more (-1: never).
  std::atomic<int> paused_from_read{-1};
  std::int64_t cursor = 0;  // the sink's stored cursor

  void setRedrive(SinkRedrive redrive) {
    std::lock_guard lock(redrive_mutex_);
    redrive_ = std::move(redrive);
  }
  // The redrive as the dispatcher's writes left it.
  std::optional<SinkRedrive> storedRedrive() {
    std::lock_guard lock(redrive_mutex_);
    return redrive_;
  }

  std::unique_ptr<Transaction> begin() override { throw std::logic_error("not used by the dispatcher"); }
  std::vector<StoredEvent> readEvents(const EventQuery& query) override {
    ++reads;
    std::vector<StoredEvent> out;
    for (const auto& stored : events_) {
      if (stored.sequence > query.after && out.size() < query.limit) out.push_back(stored);
    }
    return out;
  }
  std::int64_t lastSequence() override { return events_.empty() ? 0 : events_.back().sequence; }
  int schemaVersion() override { return 0; }
  std::optional<StoredEvent> readEvent(std::int64_t) override { return std::nullopt; }
  ExpiredKeysPass forgetExpiredIngress(const std::string&, std::size_t) override { return {}; }
  RetentionPass pruneEventLog(const RetentionLimits&, const std::vector<std::string>&) override { return {}; }
  std::int64_t firstSequence() override { return 1; }
  std::vector<SkippedEvents> sinkSkips(const std::string&, std::size_t, std::size_t) override { return {}; }
  std::chrono::steady_clock::duration lastWriteHeld() const override { return {}; }
  FileSpace fileSpace() override { return {}; }
  std::int64_t releaseFreePages(std::int64_t) override { return 0; }
  SinkProgress loadSinkProgress(const std::string&, std::int64_t) override { return {cursor, {}, {}}; }
  void applyDelivery(const DeliveryUpdate& update) override {
    {
      std::lock_guard lock(mutex_);
      attempts_.insert(attempts_.end(), update.attempts.begin(), update.attempts.end());
    }
    std::lock_guard lock(redrive_mutex_);
    for (const auto& progress : update.redrives) {
      if (!redrive_ || redrive_->id != progress.id) continue;
      redrive_->position = std::max(redrive_->position, progress.position);
      redrive_->delivered += progress.delivered;
      if (redrive_->position >= redrive_->to_sequence) redrive_->state = std::string(kRedriveCompleted);
    }
  }
  // The attempt log rows every applyDelivery() carried, in order.
  std::vector<DeliveryAttempt> attempts() const {
    std::lock_guard lock(mutex_);
    return attempts_;
  }
  std::vector<ReplayRequest> sinkReplays(const std::string&) override { return {}; }
  bool acquireSinkLease(const std::string&, const std::string&, const std::string&, const std::string&) override {
    return true;
  }
  void releaseSinkLease(const std::string&, const std::string&) override {}
  SharedSinkState sharedSinkState(const std::string&) override { return {}; }
  std::optional<SinkPause> sinkPause(const std::string& sink) override {
    const int from = paused_from_read;
    if (from < 0 || reads < from) return std::nullopt;
    return SinkPause{sink, "2026-12-03T10:00:00Z", "test", false};
  }
  bool startRedrive(const SinkRedrive&) override { return false; }
  std::optional<SinkRedrive> activeRedrive(const std::string&) override {
    std::lock_guard lock(redrive_mutex_);
    if (!redrive_ || !redrive_->active()) return std::nullopt;
    return redrive_;
  }
  std::optional<SinkRedrive> findRedrive(const std::string&, const std::string&) override { return std::nullopt; }
  std::vector<SinkRedrive> listRedrives(const std::string&, std::size_t, std::size_t) override { return {}; }
  std::optional<SinkRedrive> cancelRedrive(const std::string&, const std::string&, const std::string&) override {
    return std::nullopt;
  }
  std::int64_t firstSequenceRecorded(std::chrono::system_clock::time_point, bool) override { return 1; }
  std::vector<DeadLetter> listDeadLetters(const DeadLetterFilter&) override { return {}; }
  std::size_t replayDeadLetters(const DeadLetterFilter&) override { return 0; }
  std::size_t purgeDeadLetters(const DeadLetterFilter&) override { return 0; }
  std::vector<DeliveryAttempt> deliveryAttempts(const DeliveryAttemptQuery&) override { return {}; }
  std::size_t pruneDeliveryAttempts(const std::string&, std::size_t) override { return 0; }

private:
  const std::vector<StoredEvent> events_;
  std::mutex redrive_mutex_;
  std::optional<SinkRedrive> redrive_;
  mutable std::mutex mutex_;
  std::vector<DeliveryAttempt> attempts_;
};

// Fails every event, asking to be called again in `retry_after`.
class FailingSink final : public sdk::Sink {
public:
  explicit FailingSink(std::chrono::milliseconds retry_after) : retry_after_(retry_after) {}

  std::atomic<int> calls{0};

  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override {
    ++calls;
    return std::vector<sdk::Outcome>(batch.size(), sdk::Outcome::retryable("receiver down", retry_after_));
  }

private:
  const std::chrono::milliseconds retry_after_;
};

StoredEvent storedEvent(std::int64_t sequence) {
  StoredEvent stored;
  stored.sequence = sequence;
  stored.event.id = "e-" + std::to_string(sequence);
  stored.event.source = "/tests";
  stored.event.type = "com.example.test";
  stored.event.subject = "s-1";
  stored.recorded_at = sdk::formatRfc3339(std::chrono::system_clock::now());  // not past max age
  return stored;
}

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// The breaker opened for 50 ms on the first failure, and the only event waits
// 2 s for its retry: once the 50 ms are over, nothing may be sent before the
// retry is due, so the loop sleeps until then or the poll interval (200 ms).
// It used to take the past reopen time for its wake-up and turn every 1 ms.
TEST(Dispatcher, SleepsWhileTheBreakerPeriodIsOverAndTheOnlyEventWaitsForItsRetry) {
  MemoryStore store({storedEvent(1)});
  auto sink = std::make_shared<FailingSink>(2000ms);
  DeliverySettings settings;
  settings.initial_backoff = 1ms;
  settings.max_backoff = 1ms;  // the delay is Retry-After's 2 s
  settings.breaker_failure_threshold = 1;
  settings.breaker_open = 50ms;
  MetricsRegistry metrics;
  Dispatcher dispatcher("test-sink", "test", sink, settings, store, metrics, "replica-1");
  dispatcher.start();

  ASSERT_TRUE(waitFor([&] { return sink->calls == 1 && dispatcher.status().circuit == "open"; }, 2000ms));
  std::this_thread::sleep_for(150ms);  // past the breaker's period
  const int reads_before = store.reads;
  std::this_thread::sleep_for(500ms);
  const int reads = store.reads.load() - reads_before;
  EXPECT_EQ(sink->calls.load(), 1);
  EXPECT_EQ(dispatcher.status().waiting_retry, 1u);
  // One read per poll interval (200 ms) is 2 or 3; every 1 ms would be hundreds.
  EXPECT_LE(reads, 10);

  // The retry is still sent when it is due (the breaker lets it through as its trial).
  EXPECT_TRUE(waitFor([&] { return sink->calls == 2; }, 3000ms));
  dispatcher.stop(1000ms);
}

// While the only event's retry is not due, an idle loop looks at the store
// once per poll interval whatever the breaker does.
TEST(Dispatcher, WaitsForARetryWithoutTurningEveryMillisecond) {
  MemoryStore store({storedEvent(1)});
  auto sink = std::make_shared<FailingSink>(2000ms);
  DeliverySettings settings;
  settings.initial_backoff = 1ms;
  settings.max_backoff = 1ms;
  settings.breaker_failure_threshold = 100;  // stays closed
  settings.linger = 20ms;
  MetricsRegistry metrics;
  Dispatcher dispatcher("test-sink", "test", sink, settings, store, metrics, "replica-1");
  dispatcher.start();

  ASSERT_TRUE(waitFor([&] { return sink->calls == 1 && dispatcher.status().waiting_retry == 1; }, 2000ms));
  const int reads_before = store.reads;
  std::this_thread::sleep_for(500ms);
  EXPECT_LE(store.reads.load() - reads_before, 10);
  EXPECT_EQ(sink->calls.load(), 1);
  dispatcher.stop(1000ms);
}

// Records every batch it is given and delivers it.
class RecordingSink final : public sdk::Sink {
public:
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& event : batch) ids.push_back(event.id);
    batches_.push_back({std::chrono::steady_clock::now(), batch.size(), std::move(ids)});
    return std::vector<sdk::Outcome>(batch.size(), sdk::Outcome::delivered());
  }

  struct Call {
    std::chrono::steady_clock::time_point at;
    std::size_t events;
    std::vector<std::string> ids;
  };
  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  std::size_t delivered() const {
    std::size_t total = 0;
    for (const auto& call : calls()) total += call.events;
    return total;
  }

private:
  mutable std::mutex mutex_;
  std::vector<Call> batches_;
};

// delivery.rate_limit: 20 events/s with a burst of 5. The first 5 go at once;
// every later event waits for its token, so the 30 take at least
// (30 - 5) / 20 = 1.25 s, none fails, and no batch is larger than the burst.
TEST(Dispatcher, RateLimitMakesEventsWaitAndNeverFail) {
  std::vector<StoredEvent> events;
  for (int i = 1; i <= 30; ++i) {
    events.push_back(storedEvent(i));
    events.back().event.subject = "s-" + std::to_string(i);  // no per-subject waits
  }
  MemoryStore store(events);
  auto sink = std::make_shared<RecordingSink>();
  DeliverySettings settings;
  settings.concurrency = 4;
  settings.rate_limit = RateLimiter::Settings{20, 5};
  MetricsRegistry metrics;
  Dispatcher dispatcher("test-sink", "test", sink, settings, store, metrics, "replica-1");
  const auto started = std::chrono::steady_clock::now();
  dispatcher.start();

  ASSERT_TRUE(waitFor([&] { return sink->delivered() == 30; }, 10000ms));
  const auto calls = sink->calls();
  EXPECT_GE(calls.back().at - started, 1250ms - 60ms);  // a token's worth of timer slack
  for (const auto& call : calls) EXPECT_LE(call.events, 5u);
  // In any window of one second after the burst, at most 20 + 5 events.
  for (const auto& from : calls) {
    std::size_t in_window = 0;
    for (const auto& call : calls) {
      if (call.at >= from.at && call.at < from.at + 1s) in_window += call.events;
    }
    EXPECT_LE(in_window, 25u);
  }
  EXPECT_EQ(dispatcher.status().failed, 0u);
  EXPECT_EQ(dispatcher.status().dead_lettered, 0u);
  dispatcher.stop(1000ms);
}

// delivery.filter: a type glob and a CESQL expression. Of six events, only
// those matching both reach the sink; the others move the cursor past them.
TEST(Dispatcher, SinkWithACesqlFilterReceivesOnlyTheEventsItMatches) {
  std::vector<StoredEvent> events;
  const std::vector<std::pair<std::string, std::string>> shapes = {
      {"ccm.lablet.session.started", "a"}, {"ccm.worker.running", "a"},         {"ccm.lablet.session.stopped", "c"},
      {"ccm.lablet.session.stopped", "b"}, {"ccm.lablet.session.started", "a"}, {"other.lablet.session.x", "a"}};
  for (const auto& [type, subject] : shapes) {
    events.push_back(storedEvent(static_cast<std::int64_t>(events.size()) + 1));
    events.back().event.type = type;
    events.back().event.subject = subject;
  }
  MemoryStore store(events);
  auto sink = std::make_shared<RecordingSink>();
  auto settings = deliverySettingsFromJson(R"json({"filter": {"types": ["ccm.*"],
      "cesql": "type LIKE 'ccm.lablet.session.%' AND subject IN ('a', 'b')"}})json");
  MetricsRegistry metrics;
  Dispatcher dispatcher("test-sink", "test", sink, settings, store, metrics, "replica-1");
  dispatcher.start();

  ASSERT_TRUE(waitFor([&] { return dispatcher.status().cursor == 6; }, 5000ms));
  std::vector<std::string> received;
  for (const auto& call : sink->calls()) received.insert(received.end(), call.ids.begin(), call.ids.end());
  EXPECT_EQ(received, (std::vector<std::string>{"e-1", "e-4", "e-5"}));
  dispatcher.stop(1000ms);
}

TEST(RateLimiter, StartsFullRefillsAtTheRateAndNeverBeyondTheBurst) {
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  RateLimiter limiter({2.0, 3}, t0);
  EXPECT_EQ(limiter.available(t0), 3u);
  limiter.take(3);
  EXPECT_EQ(limiter.available(t0), 0u);
  EXPECT_EQ(limiter.nextAvailableAt(t0), t0 + 500ms);
  EXPECT_EQ(limiter.available(t0 + 499ms), 0u);
  EXPECT_EQ(limiter.available(t0 + 500ms), 1u);
  EXPECT_EQ(limiter.available(t0 + 10s), 3u);  // capped at the burst
  RateLimiter slow({0.5, 1}, t0);
  slow.take(slow.available(t0));
  EXPECT_EQ(slow.nextAvailableAt(t0), t0 + 2s);
}

// The pause row commits with its event, after start() found the sink
// unpaused: reading that event from the log makes the dispatcher read the
// pause at once, so the events around it wait instead of going out before
// the once-a-second poll would have seen it.
TEST(Dispatcher, ReadingItsOwnPauseEventStopsTheSinkBeforeTheNextPoll) {
  auto paused_event = storedEvent(2);
  paused_event.event.type = std::string(kSinkPausedEventType);
  paused_event.event.subject = "test-sink";
  MemoryStore store({storedEvent(1), paused_event, storedEvent(3)});
  store.paused_from_read = 1;  // committed before the loop's first read of the log
  auto sink = std::make_shared<RecordingSink>();
  MetricsRegistry metrics;
  Dispatcher dispatcher("test-sink", "test", sink, DeliverySettings{}, store, metrics, "replica-1");
  dispatcher.start();

  ASSERT_TRUE(waitFor([&] { return dispatcher.status().pause.has_value(); }, 2000ms));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sink->delivered(), 0u);

  store.paused_from_read = -1;  // resumed
  dispatcher.pauseChanged(std::nullopt);
  EXPECT_FALSE(dispatcher.status().pause.has_value());  // at once, before the loop has read the store
  EXPECT_TRUE(waitFor([&] { return sink->delivered() == 3; }, 2000ms));
  dispatcher.stop(1000ms);
}

// docs/delivery.md#redrive: the sink has delivered up to 6 when a redrive of
// 2..5 with a subject filter starts. The redriven events (not 3: the filter)
// go again in sequence order, taking turns with the new events 7..10 rather
// than waiting for them, and the stored redrive ends completed at 5.
TEST(Dispatcher, RedriveSendsItsRangeAgainTakingTurnsWithNewEvents) {
  std::vector<StoredEvent> events;
  for (int i = 1; i <= 10; ++i) {
    events.push_back(storedEvent(i));
    events.back().event.subject = "s-" + std::to_string(i);
  }
  MemoryStore store(events);
  store.cursor = 6;
  SinkRedrive redrive;
  redrive.id = "r-1";
  redrive.sink = "test-sink";
  redrive.from_sequence = 2;
  redrive.to_sequence = 5;
  redrive.position = 1;
  redrive.filter = R"({"subjects": ["s-2", "s-4", "s-5"]})";
  store.setRedrive(redrive);
  auto sink = std::make_shared<RecordingSink>();
  DeliverySettings settings;
  settings.batch_size = 1;
  MetricsRegistry metrics;
  Dispatcher dispatcher("test-sink", "test", sink, settings, store, metrics, "replica-1");
  dispatcher.start();

  ASSERT_TRUE(waitFor([&] { return sink->delivered() == 7; }, 5000ms));
  std::vector<std::string> received;
  for (const auto& call : sink->calls()) received.insert(received.end(), call.ids.begin(), call.ids.end());
  EXPECT_EQ(received, (std::vector<std::string>{"e-7", "e-2", "e-8", "e-4", "e-9", "e-5", "e-10"}));
  ASSERT_TRUE(waitFor([&] { return store.storedRedrive()->state == kRedriveCompleted; }, 2000ms));
  EXPECT_EQ(store.storedRedrive()->position, 5);
  EXPECT_EQ(store.storedRedrive()->delivered, 3);
  EXPECT_NE(metrics.renderPrometheus().find(
                R"(ccm_sink_redrive_events_total{outcome="delivered",sink="test-sink"} 3)"),
            std::string::npos)
      << metrics.renderPrometheus();
  dispatcher.stop(1000ms);
}

// A paused sink redrives nothing either.
TEST(Dispatcher, APausedSinkRedrivesNothing) {
  MemoryStore store({storedEvent(1), storedEvent(2)});
  store.cursor = 2;
  store.paused_from_read = 0;
  SinkRedrive redrive;
  redrive.id = "r-1";
  redrive.from_sequence = 1;
  redrive.to_sequence = 2;
  store.setRedrive(redrive);
  auto sink = std::make_shared<RecordingSink>();
  MetricsRegistry metrics;
  Dispatcher dispatcher("test-sink", "test", sink, DeliverySettings{}, store, metrics, "replica-1");
  dispatcher.start();
  ASSERT_TRUE(waitFor([&] { return dispatcher.status().pause.has_value(); }, 2000ms));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sink->delivered(), 0u);

  store.paused_from_read = -1;
  dispatcher.pauseChanged(std::nullopt);
  EXPECT_TRUE(waitFor([&] { return sink->delivered() == 2; }, 2000ms));
  dispatcher.stop(1000ms);
}

// Answers its first call with a 503 for every event, later ones with a 200,
// each after `delay`.
class RecoveringSink final : public sdk::Sink {
public:
  explicit RecoveringSink(std::chrono::milliseconds delay) : delay_(delay) {}

  std::atomic<int> calls{0};

  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override {
    std::this_thread::sleep_for(delay_);
    if (calls++ == 0) {
      return std::vector<sdk::Outcome>(batch.size(),
                                       sdk::Outcome::retryable("HTTP 503 Service Unavailable", 0ms).withHttpStatus(503));
    }
    return std::vector<sdk::Outcome>(batch.size(), sdk::Outcome::delivered().withHttpStatus(200));
  }

private:
  const std::chrono::milliseconds delay_;
};

TEST(Dispatcher, RecordsEveryAttemptWithItsNumberOutcomeStatusAndTheBatchsLatency) {
  MemoryStore store({storedEvent(1), storedEvent(2)});
  auto sink = std::make_shared<RecoveringSink>(30ms);
  DeliverySettings settings;
  settings.initial_backoff = 1ms;
  settings.max_backoff = 1ms;
  MetricsRegistry metrics;
  Dispatcher dispatcher("test-sink", "test", sink, settings, store, metrics, "replica-1");
  dispatcher.start();
  ASSERT_TRUE(waitFor([&] { return store.attempts().size() == 4; }, 5000ms));
  dispatcher.stop(1000ms);

  const auto attempts = store.attempts();
  ASSERT_EQ(attempts.size(), 4u);
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const auto& attempt = attempts[i];
    const bool first_call = i < 2;
    EXPECT_EQ(attempt.sink, "test-sink");
    EXPECT_EQ(attempt.sequence, static_cast<std::int64_t>(i % 2 + 1)) << "both events went in each batch";
    EXPECT_EQ(attempt.attempt, first_call ? 1 : 2);
    EXPECT_FALSE(attempt.replay);
    EXPECT_EQ(attempt.outcome, first_call ? "retryable" : "delivered");
    EXPECT_EQ(attempt.http_status, first_call ? 503 : 200);
    EXPECT_EQ(attempt.error, first_call ? "HTTP 503 Service Unavailable" : "");
    EXPECT_GE(attempt.latency_us, 30000) << "the sink took 30 ms";
    EXPECT_TRUE(sdk::parseRfc3339(attempt.attempted_at)) << attempt.attempted_at;
  }
  // One call, one time and one latency for the whole batch.
  EXPECT_EQ(attempts[0].attempted_at, attempts[1].attempted_at);
  EXPECT_EQ(attempts[0].latency_us, attempts[1].latency_us);
  EXPECT_LT(attempts[1].attempted_at, attempts[2].attempted_at);
}

TEST(DeliveryAttemptRecord, CutsALongMessageOnACharacterBoundary) {
  // 1023 ASCII bytes and a two-byte character across the 1024-byte limit.
  const std::string message = std::string(kMaxAttemptErrorBytes - 1, 'x') + "\xc3\xa9" + "tail";
  const auto row = attemptRecord("s", 3, 2, true, sdk::Outcome::permanent(message), "2026-12-03T10:00:00.000001Z",
                                 {std::chrono::system_clock::now(), 1500us});
  EXPECT_EQ(row.error, std::string(kMaxAttemptErrorBytes - 1, 'x'));
  EXPECT_EQ(row.outcome, "permanent");
  EXPECT_EQ(row.http_status, std::nullopt);
  EXPECT_EQ(row.latency_us, 1500);
  EXPECT_TRUE(row.replay);
}

}  // namespace
}  // namespace ccm::core
