#include "kafka_sink.hpp"

#include <array>
#include <string>

#include "common/subject_ordered_delivery.hpp"

namespace ccm::sinks::kafka {
namespace {

// By sdk::Outcome::Kind.
constexpr std::array<const char*, 3> kOutcomeNames = {"delivered", "retryable", "permanent"};
constexpr std::string_view kMessagesCounter = "kafka_sink_messages_total";
// librdkafka reports a timed-out message within about a second of
// message.timeout.ms (it scans for them once a second); a report later than
// this margin is not waited for.
constexpr std::chrono::milliseconds kReportMargin{5000};

class ProducerTransport final : public common::AcknowledgedTransport {
public:
  ProducerTransport(const std::vector<sdk::CloudEvent>& batch, const KafkaSinkConfig& config, KafkaProducer& producer)
      : batch_(batch), config_(config), producer_(producer) {}

  std::variant<MessageId, sdk::Outcome> send(std::size_t index) override {
    auto message = toMessage(batch_[index], config_.topic, config_.mode);
    if (auto* failed = std::get_if<sdk::Outcome>(&message)) return std::move(*failed);
    return producer_.produce(std::get<KafkaMessage>(message));
  }
  std::vector<std::pair<MessageId, sdk::Outcome>> awaitAny(std::span<const MessageId> ids,
                                                           std::chrono::steady_clock::time_point deadline) override {
    return producer_.awaitAny(ids, deadline);
  }
  void abandon(std::span<const MessageId> ids) override { producer_.abandon(ids); }

private:
  const std::vector<sdk::CloudEvent>& batch_;
  const KafkaSinkConfig& config_;
  KafkaProducer& producer_;
};

}  // namespace

KafkaSink::KafkaSink(const sdk::PluginContext& context)
    : metrics_(context.host.metrics()), config_(parseConfig(context)), producer_(config_.producer, context.host) {
  metrics_.describe(kMessagesCounter, sdk::MetricType::Counter, "Events handed to the sink, by outcome");
}

std::vector<sdk::Outcome> KafkaSink::deliver(const std::vector<sdk::CloudEvent>& batch) {
  ProducerTransport transport(batch, config_, producer_);
  auto outcomes = common::deliverInSubjectOrder(batch, transport, config_.producer.timeout + kReportMargin,
                                                "no delivery report within timeout_ms (" +
                                                    std::to_string(config_.producer.timeout.count()) + " ms) and " +
                                                    std::to_string(kReportMargin.count()) + " ms more");
  for (const auto& outcome : outcomes) {
    metrics_.add(kMessagesCounter, 1, {{"outcome", kOutcomeNames[static_cast<std::size_t>(outcome.kind)]}});
  }
  return outcomes;
}

}  // namespace ccm::sinks::kafka
