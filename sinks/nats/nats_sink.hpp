#pragma once

#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/subject_ordered_delivery.hpp"
#include "nats_connection.hpp"
#include "nats_sink_config.hpp"

namespace ccm::sinks::nats {

// Publishes events to NATS JetStream, one message per event in the
// CloudEvents NATS binding's binary or structured mode, with Nats-Msg-Id =
// the event id; an event is delivered when the stream's PubAck says so. See
// docs/sinks/nats.md.
class NatsSink final : public sdk::Sink {
public:
  // Throws std::invalid_argument naming the config key it cannot use. Does
  // not wait for the server: the connection is made in the background.
  explicit NatsSink(const sdk::PluginContext& context);

  // Events of one subject are published one after another, each after the
  // previous one's PubAck; other events go out without waiting. After a
  // retryable outcome nothing more of the batch is published. Safe to call
  // concurrently.
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override;
  std::size_t maxBatchSize() const override { return config_.max_batch_size; }

private:
  // One deliver() call's view of the connection for common::deliverInSubjectOrder.
  class Transport final : public common::AcknowledgedTransport {
  public:
    Transport(NatsSink& sink, const std::vector<sdk::CloudEvent>& batch);
    std::variant<MessageId, sdk::Outcome> send(std::size_t index) override;
    std::vector<std::pair<MessageId, sdk::Outcome>> awaitAny(std::span<const MessageId> ids,
                                                             std::chrono::steady_clock::time_point deadline) override;
    void abandon(std::span<const MessageId> ids) override;

  private:
    NatsSink& sink_;
    const std::vector<sdk::CloudEvent>& batch_;
  };

  sdk::Metrics& metrics_;
  NatsSinkConfig config_;
  NatsConnection connection_;
};

}  // namespace ccm::sinks::nats
