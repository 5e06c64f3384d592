#include "mqtt_sink.hpp"

#include <array>
#include <string>

#include "common/subject_ordered_delivery.hpp"

namespace ccm::sinks::mqtt {
namespace {

// By sdk::Outcome::Kind.
constexpr std::array<const char*, 3> kOutcomeNames = {"delivered", "retryable", "permanent"};

// A message id is an MQTT packet identifier (1 to 65535), so it fits both ways.
std::vector<int> packetIds(std::span<const common::AcknowledgedTransport::MessageId> ids) {
  return {ids.begin(), ids.end()};
}

class ConnectionTransport final : public common::AcknowledgedTransport {
public:
  ConnectionTransport(const std::vector<sdk::CloudEvent>& batch, const MqttSinkConfig& config,
                      MqttConnection& connection)
      : batch_(batch), config_(config), connection_(connection) {}

  std::variant<MessageId, sdk::Outcome> send(std::size_t index) override {
    auto message = toMessage(batch_[index], config_.topic, config_.mode, config_.connection.version);
    if (auto* failed = std::get_if<sdk::Outcome>(&message)) return std::move(*failed);
    auto sent = connection_.publish(std::get<MqttMessage>(message));
    if (auto* failed = std::get_if<sdk::Outcome>(&sent)) return std::move(*failed);
    return static_cast<MessageId>(std::get<int>(sent));
  }
  std::vector<std::pair<MessageId, sdk::Outcome>> awaitAny(std::span<const MessageId> ids,
                                                           std::chrono::steady_clock::time_point deadline) override {
    std::vector<std::pair<MessageId, sdk::Outcome>> out;
    for (auto& [mid, outcome] : connection_.awaitAny(packetIds(ids), deadline)) {
      out.emplace_back(static_cast<MessageId>(mid), std::move(outcome));
    }
    return out;
  }
  void abandon(std::span<const MessageId> ids) override { connection_.abandon(packetIds(ids)); }

private:
  const std::vector<sdk::CloudEvent>& batch_;
  const MqttSinkConfig& config_;
  MqttConnection& connection_;
};

}  // namespace

constexpr std::string_view kMessagesCounter = "mqtt_sink_messages_total";

MqttSink::MqttSink(const sdk::PluginContext& context)
    : metrics_(context.host.metrics()), config_(parseConfig(context)), connection_(config_.connection, context.host) {
  metrics_.describe(kMessagesCounter, sdk::MetricType::Counter, "Events handed to the sink, by outcome");
}

std::vector<sdk::Outcome> MqttSink::deliver(const std::vector<sdk::CloudEvent>& batch) {
  ConnectionTransport transport(batch, config_, connection_);
  auto outcomes =
      common::deliverInSubjectOrder(batch, transport, config_.timeout,
                                    "no PUBACK within timeout_ms (" + std::to_string(config_.timeout.count()) + " ms)");
  for (const auto& outcome : outcomes) {
    metrics_.add(kMessagesCounter, 1, {{"outcome", kOutcomeNames[static_cast<std::size_t>(outcome.kind)]}});
  }
  return outcomes;
}

}  // namespace ccm::sinks::mqtt
