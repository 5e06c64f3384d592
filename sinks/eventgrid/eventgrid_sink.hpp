#pragma once

#include <memory>
#include <span>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/metered_http_client.hpp"
#include "common/packed_delivery.hpp"
#include "eventgrid_auth.hpp"
#include "eventgrid_sink_config.hpp"

namespace ccm::sinks::eventgrid {

// Publishes events to an Azure Event Grid custom topic (CloudEvents 1.0 input
// schema) or namespace topic as application/cloudevents-batch+json, in as few
// requests as the service's size and count limits allow. See docs/sinks/eventgrid.md.
class EventGridSink final : public sdk::Sink {
public:
  // Throws std::invalid_argument naming the config key it cannot use.
  explicit EventGridSink(const sdk::PluginContext& context);

  // Requests go out in order; after a retryable one the rest of the batch is
  // not sent (see common::deliverInRequests). Safe to call concurrently.
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override;
  std::size_t maxBatchSize() const override { return config_.max_batch_size; }

private:
  common::Prepared prepare(const sdk::CloudEvent& event) const;
  std::vector<sdk::Outcome> publish(std::span<const common::Entry> entries);

  sdk::Host& host_;
  EventGridSinkConfig config_;
  common::MeteredHttpClient client_;
  std::unique_ptr<Credential> credential_;
  common::RequestLimits limits_;
};

}  // namespace ccm::sinks::eventgrid
