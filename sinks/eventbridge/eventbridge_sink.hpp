#pragma once

#include <span>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/metered_http_client.hpp"
#include "common/packed_delivery.hpp"
#include "eventbridge_sink_config.hpp"

namespace ccm::sinks::eventbridge {

// Puts events on an Amazon EventBridge event bus with PutEvents, signed with
// AWS Signature Version 4, in as few requests as the API's limits allow; each
// event gets the outcome of its own entry. See docs/sinks/eventbridge.md.
class EventBridgeSink final : public sdk::Sink {
public:
  // Throws std::invalid_argument naming the config key it cannot use.
  explicit EventBridgeSink(const sdk::PluginContext& context);

  // Requests go out in order; after one with a retryable entry the rest of the
  // batch is not sent (see common::deliverInRequests). Safe to call concurrently.
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override;
  std::size_t maxBatchSize() const override { return config_.max_batch_size; }

private:
  std::vector<sdk::Outcome> putEvents(std::span<const common::Entry> entries);

  sdk::Host& host_;
  EventBridgeSinkConfig config_;
  common::MeteredHttpClient client_;
};

}  // namespace ccm::sinks::eventbridge
