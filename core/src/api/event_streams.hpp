#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "http/http_stream.hpp"
#include "observability/metrics_registry.hpp"
#include "store/store.hpp"

namespace ccm::core {

// server.event_streams (docs/configuration.md).
struct EventStreamSettings {
  std::size_t max_streams = 64;
  std::size_t max_buffer_bytes = 1 << 20;  // per stream: written, not yet taken by the client
  std::chrono::milliseconds poll_interval{250};
  std::chrono::milliseconds heartbeat{15000};
};

// The open event streams (GET /api/v1/events/stream) and the one thread that
// feeds them all: it polls the store, which sees every replica's commits,
// every poll_interval, and at once when wake() says this process committed.
// A stream costs no thread; its bytes wait in its connection (HttpStream),
// at most max_buffer_bytes of them. Thread-safe.
class EventStreams {
public:
  // ccm_event_streams (open) and ccm_event_streams_dropped_total (clients
  // too slow) when `metrics` is not null.
  EventStreams(Store& store, EventStreamSettings settings, MetricsRegistry* metrics);
  // Ends every stream (their clients see the body end) and joins the thread.
  ~EventStreams();
  EventStreams(const EventStreams&) = delete;
  EventStreams& operator=(const EventStreams&) = delete;

  const EventStreamSettings& settings() const { return settings_; }

  // Streams the events `query` selects (type, subject) after query.after,
  // oldest first, in pages. `start` answers the request with the stream's
  // head and is called only when fewer than max_streams are open; false
  // (and `start` not called) otherwise.
  bool open(const EventQuery& query, const std::function<std::shared_ptr<HttpStream>()>& start);
  // New events were committed here: feed the streams now.
  void wake();
  // Ends every open stream (a reload: clients reconnect with Last-Event-ID
  // and are let in by the new credentials).
  void endAll();
  std::size_t openCount() const;

private:
  struct Subscriber {
    std::shared_ptr<HttpStream> stream;
    EventQuery query;
    std::chrono::steady_clock::time_point last_write;
  };

  void run();
  void feed();
  // Writes the next pages of `subscriber`'s events; `last` is the log's last
  // sequence read before (the cursor may jump to it when nothing matched).
  void feedOne(Subscriber& subscriber, std::int64_t last);
  // Drops streams that ended; counts those ended for a slow client.
  void forgetEnded();

  Store& store_;
  const EventStreamSettings settings_;
  MetricsRegistry* metrics_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::vector<std::shared_ptr<Subscriber>> subscribers_;
  std::thread thread_;  // last: started once the rest is built
};

}  // namespace ccm::core
