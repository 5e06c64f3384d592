#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"
#include "mqtt_message.hpp"
#include "mqtt_sink_config.hpp"

struct mosquitto;
struct mqtt5__property;

namespace ccm::sinks::mqtt {

// One libmosquitto client and the thread that drives its network loop: it
// connects, reads PUBACKs and reconnects with backoff (0.5 s doubling to
// 30 s) after a failure, for as long as the object lives. Publishing and
// waiting are safe from any number of threads; libmosquitto's callbacks run on
// the loop thread and only record results under the object's mutex.
class MqttConnection {
public:
  // Logs connection changes and keeps the gauge mqtt_sink_connected through `host`.
  MqttConnection(ConnectionSettings settings, sdk::Host& host);
  // Sends DISCONNECT and joins the loop thread within about a second; a
  // connect in progress is abandoned (a name lookup finishes first).
  ~MqttConnection();
  MqttConnection(const MqttConnection&) = delete;
  MqttConnection& operator=(const MqttConnection&) = delete;

  // Publishes with QoS 1 and returns the message id to await, or the
  // outcome when it cannot be sent: not connected within connect_timeout
  // (retryable, or permanent when the broker refused our credentials),
  // max_unacknowledged messages still awaiting their PUBACK (retryable), or
  // refused by libmosquitto (permanent: over the broker's Maximum Packet
  // Size, a Maximum QoS of 0, a malformed string).
  std::variant<int, sdk::Outcome> publish(const MqttMessage& message);

  // Blocks until one of `mids` has its outcome (PUBACK, or retryable when
  // the connection is lost) or `deadline` passes; returns those that have
  // one and forgets them.
  std::vector<std::pair<int, sdk::Outcome>> awaitAny(std::span<const int> mids,
                                                     std::chrono::steady_clock::time_point deadline);
  // Stops awaiting `mids`: a PUBACK that arrives for them later settles
  // nothing, but until it arrives they count against max_unacknowledged.
  void abandon(std::span<const int> mids);

private:
  void run();
  bool connectOnce();
  void waitBeforeReconnect();
  void lost(const std::string& why);
  void cannotConnect(const std::string& why);  // with mutex_ held
  std::string where() const;
  void countUnacknowledged();  // with mutex_ held

  static void onConnect(mosquitto*, void* self, int reason_code, int flags, const mqtt5__property*);
  static void onDisconnect(mosquitto*, void* self, int reason_code, const mqtt5__property*);
  static void onPublish(mosquitto*, void* self, int mid, int reason_code, const mqtt5__property*);

  struct ClientDeleter {
    void operator()(mosquitto* client) const;
  };

  const ConnectionSettings settings_;
  sdk::Logger& logger_;
  sdk::Metrics& metrics_;
  std::unique_ptr<mosquitto, ClientDeleter> client_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool connected_ = false;             // CONNACK with success, not lost since
  std::string last_error_;             // why not connected
  bool refused_permanently_ = false;   // the broker refused our identity
  bool refused_this_attempt_ = false;  // by CONNACK, since the last connect
  bool loss_reported_ = false;         // by on_disconnect, since the last connect
  std::chrono::steady_clock::time_point stop_deadline_{};
  std::chrono::milliseconds backoff_{0};
  // Awaited by a delivery; an outcome once it has one.
  std::unordered_map<int, std::optional<sdk::Outcome>> pending_;
  // Held by libmosquitto until their PUBACK, awaited or not: it resends them
  // after a reconnect, and only a PUBACK (or destroying the client) frees them.
  std::unordered_set<int> unacknowledged_;

  std::thread loop_;
};

}  // namespace ccm::sinks::mqtt
