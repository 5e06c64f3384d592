#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

struct mosquitto;
struct mosquitto_message;
struct mqtt5__property;

namespace ccm::testing {

// One PUBLISH as a subscriber received it.
struct ReceivedMessage {
  std::string topic;
  std::string payload;
  int qos = 0;
  std::string content_type;                                          // MQTT 5 Content Type, empty when absent
  std::vector<std::pair<std::string, std::string>> user_properties;  // in wire order
};

// A libmosquitto client subscribed to `filter` with QoS 1 on 127.0.0.1:port,
// recording every message. The constructor returns once the SUBACK arrived.
class MqttSubscriber {
public:
  MqttSubscriber(std::uint16_t port, bool mqtt5, const std::string& filter = "#");
  ~MqttSubscriber();
  MqttSubscriber(const MqttSubscriber&) = delete;
  MqttSubscriber& operator=(const MqttSubscriber&) = delete;

  // The first `count` messages once that many arrived, or all there are when
  // the deadline passes first.
  std::vector<ReceivedMessage> waitFor(std::size_t count, std::chrono::milliseconds deadline = std::chrono::seconds(5));

private:
  static void onMessage(mosquitto*, void* self, const mosquitto_message* message, const mqtt5__property* properties);
  static void onSubscribe(mosquitto*, void* self, int, int, const int*, const mqtt5__property*);

  mosquitto* client_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool subscribed_ = false;
  std::vector<ReceivedMessage> messages_;
};

}  // namespace ccm::testing
