#include "api/event_streams.hpp"

#include <Poco/Logger.h>

#include "api/server_sent_events.hpp"
#include "ccm/sdk/codec.hpp"
#include "observability/json_log.hpp"
#include "observability/thread_name.hpp"

namespace ccm::core {
namespace {

// Events read per page; a stream gets pages until its buffer is half full,
// so a client catching up on a long backlog is never pushed past its limit.
constexpr std::size_t kPage = 200;
constexpr int kMaxPagesPerTurn = 10;

Poco::Logger& streamLog() {
  return Poco::Logger::get("ccm.api");
}

}  // namespace

EventStreams::EventStreams(Store& store, EventStreamSettings settings, MetricsRegistry* metrics)
    : store_(store), settings_(settings), metrics_(metrics) {
  if (metrics_ != nullptr) {
    metrics_->describe("ccm_event_streams", sdk::MetricType::Gauge, "Open event streams (GET /api/v1/events/stream).");
    metrics_->describe("ccm_event_streams_dropped_total", sdk::MetricType::Counter,
                       "Event streams closed because the client did not read (server.event_streams.max_buffer_bytes "
                       "or server.request_timeout_ms).");
    metrics_->set("ccm_event_streams", 0);
  }
  thread_ = std::thread([this] { run(); });
}

EventStreams::~EventStreams() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  endAll();
}

bool EventStreams::open(const EventQuery& query, const std::function<std::shared_ptr<HttpStream>()>& start) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    // Ended streams free their places before the count is read.
    std::erase_if(subscribers_, [](const auto& s) { return !s->stream->open(); });
    if (subscribers_.size() >= settings_.max_streams) return false;
    auto stream = start();
    stream->write(sseComment("events after " + std::to_string(query.after)));
    subscribers_.push_back(std::make_shared<Subscriber>(Subscriber{stream, query, std::chrono::steady_clock::now()}));
    if (metrics_ != nullptr) metrics_->set("ccm_event_streams", static_cast<double>(subscribers_.size()));
    woken_ = true;
  }
  wake_.notify_all();
  return true;
}

void EventStreams::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void EventStreams::endAll() {
  std::vector<std::shared_ptr<Subscriber>> ended;
  {
    std::lock_guard lock(mutex_);
    ended.swap(subscribers_);
    if (metrics_ != nullptr) metrics_->set("ccm_event_streams", 0);
  }
  for (auto& subscriber : ended) subscriber->stream->end();
}

std::size_t EventStreams::openCount() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

void EventStreams::run() {
  nameCurrentThread("ccm-streams");
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, settings_.poll_interval, [this] { return woken_ || stopping_; });
    if (stopping_) break;
    woken_ = false;
    lock.unlock();
    feed();
    lock.lock();
  }
}

void EventStreams::forgetEnded() {
  std::lock_guard lock(mutex_);
  const auto before = subscribers_.size();
  std::size_t too_slow = 0;
  std::erase_if(subscribers_, [&too_slow](const auto& s) {
    if (s->stream->open()) return false;
    if (s->stream->tooSlow()) ++too_slow;
    return true;
  });
  if (metrics_ == nullptr || before == subscribers_.size()) return;
  metrics_->set("ccm_event_streams", static_cast<double>(subscribers_.size()));
  if (too_slow > 0) metrics_->add("ccm_event_streams_dropped_total", static_cast<double>(too_slow));
}

void EventStreams::feed() {
  forgetEnded();
  std::vector<std::shared_ptr<Subscriber>> subscribers;
  {
    std::lock_guard lock(mutex_);
    subscribers = subscribers_;
  }
  if (subscribers.empty()) return;
  try {
    // One cheap read per turn; a stream already past it costs nothing more.
    const auto last = store_.lastSequence();
    for (auto& subscriber : subscribers) feedOne(*subscriber, last);
  } catch (const std::exception& e) {
    // The store is away: the streams stay open and catch up when it is back.
    logWithFields(streamLog(), sdk::LogLevel::Warning, "event streams cannot read the event log",
                  {{"error", e.what()}});
  }
  const auto now = std::chrono::steady_clock::now();
  for (auto& subscriber : subscribers) {
    if (now - subscriber->last_write >= settings_.heartbeat && subscriber->stream->write(sseComment("heartbeat"))) {
      subscriber->last_write = now;
    }
  }
  forgetEnded();
}

void EventStreams::feedOne(Subscriber& subscriber, std::int64_t last) {
  auto& stream = *subscriber.stream;
  const auto budget = stream.maxPending() / 2;
  for (int page = 0; page < kMaxPagesPerTurn && subscriber.query.after < last; ++page) {
    if (!stream.open() || stream.pending() >= budget) return;
    auto query = subscriber.query;
    query.limit = kPage;
    const auto events = store_.readEvents(query);
    std::string bytes;
    std::size_t taken = 0;
    // Up to the budget: the rest waits for the client to read (next turn).
    for (; taken < events.size() && (taken == 0 || stream.pending() + bytes.size() < budget); ++taken) {
      bytes += sseEvent(events[taken].sequence, events[taken].event.type, sdk::toStructured(events[taken].event));
    }
    if (!bytes.empty()) {
      if (!stream.write(std::move(bytes))) return;
      subscriber.query.after = events[taken - 1].sequence;
      subscriber.last_write = std::chrono::steady_clock::now();
    }
    if (taken < events.size()) return;
    // A short page holds every match up to `last`: nothing before it is left to read.
    if (events.size() < kPage) subscriber.query.after = std::max(subscriber.query.after, last);
  }
}

}  // namespace ccm::core
