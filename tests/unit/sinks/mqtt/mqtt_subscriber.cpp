#include "mqtt_subscriber.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <cstdlib>
#include <stdexcept>

namespace ccm::testing {

MqttSubscriber::MqttSubscriber(std::uint16_t port, bool mqtt5, const std::string& filter) {
  mosquitto_lib_init();
  client_ = mosquitto_new(nullptr, true, this);
  mosquitto_int_option(client_, MOSQ_OPT_PROTOCOL_VERSION, mqtt5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
  mosquitto_message_v5_callback_set(client_, &MqttSubscriber::onMessage);
  mosquitto_subscribe_v5_callback_set(client_, &MqttSubscriber::onSubscribe);
  if (mosquitto_connect_bind_v5(client_, "127.0.0.1", port, 60, nullptr, nullptr) != MOSQ_ERR_SUCCESS ||
      mosquitto_subscribe_v5(client_, nullptr, filter.c_str(), 1, 0, nullptr) != MOSQ_ERR_SUCCESS ||
      mosquitto_loop_start(client_) != MOSQ_ERR_SUCCESS) {
    mosquitto_destroy(client_);
    throw std::runtime_error("test subscriber cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, std::chrono::seconds(5), [this] { return subscribed_; })) {
    lock.unlock();
    mosquitto_disconnect(client_);
    mosquitto_loop_stop(client_, false);
    mosquitto_destroy(client_);
    throw std::runtime_error("test subscriber got no SUBACK");
  }
}

MqttSubscriber::~MqttSubscriber() {
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, false);
  mosquitto_destroy(client_);
}

std::vector<ReceivedMessage> MqttSubscriber::waitFor(std::size_t count, std::chrono::milliseconds deadline) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, deadline, [&] { return messages_.size() >= count; });
  return {messages_.begin(), messages_.begin() + static_cast<std::ptrdiff_t>(std::min(count, messages_.size()))};
}

void MqttSubscriber::onSubscribe(mosquitto*, void* self, int, int, const int*, const mqtt5__property*) {
  auto& subscriber = *static_cast<MqttSubscriber*>(self);
  {
    std::lock_guard lock(subscriber.mutex_);
    subscriber.subscribed_ = true;
  }
  subscriber.changed_.notify_all();
}

void MqttSubscriber::onMessage(mosquitto*, void* self, const mosquitto_message* message,
                               const mqtt5__property* properties) {
  ReceivedMessage received;
  received.topic = message->topic;
  received.payload.assign(static_cast<const char*>(message->payload), static_cast<std::size_t>(message->payloadlen));
  received.qos = message->qos;
  char* value = nullptr;
  if (mosquitto_property_read_string(properties, MQTT_PROP_CONTENT_TYPE, &value, false) != nullptr) {
    received.content_type = value;
    std::free(value);
  }
  char* name = nullptr;
  for (const auto* property =
           mosquitto_property_read_string_pair(properties, MQTT_PROP_USER_PROPERTY, &name, &value, false);
       property != nullptr;
       property = mosquitto_property_read_string_pair(property, MQTT_PROP_USER_PROPERTY, &name, &value, true)) {
    received.user_properties.emplace_back(name, value);
    std::free(name);
    std::free(value);
  }
  auto& subscriber = *static_cast<MqttSubscriber*>(self);
  {
    std::lock_guard lock(subscriber.mutex_);
    subscriber.messages_.push_back(std::move(received));
  }
  subscriber.changed_.notify_all();
}

}  // namespace ccm::testing
