#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"
#include "nats_message.hpp"
#include "nats_sink_config.hpp"

struct __natsConnection;
struct __natsOptions;
struct __natsMsg;

namespace ccm::sinks::nats {

// One libnats connection with its JetStream context, kept up by a thread of
// its own: it connects (retrying with backoff, 0.5 s doubling to 30 s), then
// lets libnats reconnect after a loss (every second, forever), and starts
// over with a new connection when libnats gives up (it closes a connection
// after the same authentication error twice). Publishing and waiting are safe
// from any number of threads; libnats's callbacks only record results under
// the object's mutex.
class NatsConnection {
public:
  using Ticket = std::uint64_t;

  // Throws std::invalid_argument naming the config key libnats refuses (a
  // TLS file it cannot load). Logs connection changes and keeps the gauge
  // nats_sink_connected through `host`. Does not wait for the server.
  NatsConnection(ConnectionSettings settings, std::chrono::milliseconds publish_timeout, sdk::Host& host);
  // Waits for PubAcks still owed to libnats (bounded), closes the connection
  // and joins the thread; a connect in progress finishes first.
  ~NatsConnection();
  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;

  // Publishes to JetStream without waiting for the PubAck, with Nats-Msg-Id
  // `msg_id` and, when not empty, Nats-Expected-Stream `expected_stream`.
  // Returns the ticket to await, or the outcome when it cannot be sent: not
  // connected within connect_timeout (retryable, or permanent when the server
  // refused our credentials), over the server's max_payload (permanent).
  std::variant<Ticket, sdk::Outcome> publish(const NatsMessage& message, const std::string& msg_id,
                                             const std::string& expected_stream);

  // Blocks until one of `tickets` has its outcome (PubAck, JetStream error,
  // no responders, or libnats's timeout after publish_timeout) or `deadline`
  // passes; returns those that have one and forgets them.
  std::vector<std::pair<Ticket, sdk::Outcome>> awaitAny(std::span<const Ticket> tickets,
                                                        std::chrono::steady_clock::time_point deadline);
  // Forgets `tickets`: a PubAck that arrives for them later is ignored.
  void abandon(std::span<const Ticket> tickets);

private:
  struct Session;

  void run();
  __natsConnection* connectOnce();
  void waitBeforeReconnect();
  void closeSession(std::unique_ptr<Session> session);
  std::string where() const;

  // libnats's callbacks (nats_connection.cpp).
  struct Callbacks;
  friend struct Callbacks;

  struct OptionsDeleter {
    void operator()(__natsOptions* options) const;
  };

  const ConnectionSettings settings_;
  const std::chrono::milliseconds publish_timeout_;
  sdk::Logger& logger_;
  sdk::Metrics& metrics_;
  std::unique_ptr<__natsOptions, OptionsDeleter> options_;

  // Held shared while publishing, exclusively while the session is replaced.
  std::shared_mutex session_mutex_;
  std::unique_ptr<Session> session_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool connected_ = false;              // connected and not lost since
  std::string last_error_;              // why not connected
  bool refused_permanently_ = false;    // the server refused our credentials
  std::set<__natsConnection*> closed_;  // connections libnats has closed
  std::chrono::milliseconds backoff_{0};
  Ticket next_ticket_ = 1;
  // Published and not yet forgotten; an outcome once it has one.
  std::unordered_map<Ticket, std::optional<sdk::Outcome>> pending_;
  std::unordered_map<__natsMsg*, Ticket> tickets_;  // messages libnats holds

  std::thread loop_;
};

}  // namespace ccm::sinks::nats
