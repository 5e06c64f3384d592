#include "nats_sink.hpp"

#include <array>
#include <string>

#include "common/subject_ordered_delivery.hpp"

namespace ccm::sinks::nats {
namespace {

using namespace std::chrono_literals;

// By sdk::Outcome::Kind.
constexpr std::array<const char*, 3> kOutcomeNames = {"delivered", "retryable", "permanent"};
constexpr std::string_view kMessagesCounter = "nats_sink_messages_total";
// libnats times a publish out after timeout_ms itself; this is a backstop.
constexpr auto kTimeoutGrace = 1s;

}  // namespace

NatsSink::NatsSink(const sdk::PluginContext& context)
    : metrics_(context.host.metrics()),
      config_(parseConfig(context)),
      connection_(config_.connection, config_.timeout, context.host) {
  metrics_.describe(kMessagesCounter, sdk::MetricType::Counter, "Events handed to the sink, by outcome");
}

std::vector<sdk::Outcome> NatsSink::deliver(const std::vector<sdk::CloudEvent>& batch) {
  Transport transport(*this, batch);
  auto outcomes =
      common::deliverInSubjectOrder(batch, transport, config_.timeout + kTimeoutGrace,
                                    "no PubAck within timeout_ms (" + std::to_string(config_.timeout.count()) + " ms)");
  for (const auto& outcome : outcomes) {
    metrics_.add(kMessagesCounter, 1, {{"outcome", kOutcomeNames[static_cast<std::size_t>(outcome.kind)]}});
  }
  return outcomes;
}

NatsSink::Transport::Transport(NatsSink& sink, const std::vector<sdk::CloudEvent>& batch)
    : sink_(sink), batch_(batch) {}

std::variant<NatsSink::Transport::MessageId, sdk::Outcome> NatsSink::Transport::send(std::size_t index) {
  const sdk::CloudEvent& event = batch_[index];
  auto message = toMessage(event, sink_.config_.subject, sink_.config_.mode);
  if (auto* failed = std::get_if<sdk::Outcome>(&message)) return std::move(*failed);
  return sink_.connection_.publish(std::get<NatsMessage>(message), event.id, sink_.config_.expected_stream);
}

std::vector<std::pair<NatsSink::Transport::MessageId, sdk::Outcome>> NatsSink::Transport::awaitAny(
    std::span<const MessageId> ids, std::chrono::steady_clock::time_point deadline) {
  return sink_.connection_.awaitAny(ids, deadline);
}

void NatsSink::Transport::abandon(std::span<const MessageId> ids) {
  sink_.connection_.abandon(ids);
}

}  // namespace ccm::sinks::nats
