#pragma once

#include <memory>
#include <span>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/metered_http_client.hpp"
#include "common/packed_delivery.hpp"
#include "google_credentials.hpp"
#include "pubsub_sink_config.hpp"

namespace ccm::sinks::pubsub {

// Publishes events to a Google Cloud Pub/Sub topic with the REST API's
// projects.topics.publish, one message per event in the CloudEvents Pub/Sub
// binding, in as few requests as Pub/Sub's limits allow (with ordering, one
// request per ordering key). See docs/sinks/pubsub.md.
class PubSubSink final : public sdk::Sink {
public:
  // Throws std::invalid_argument naming the config key it cannot use.
  explicit PubSubSink(const sdk::PluginContext& context);

  // Requests go out in order; after a retryable one the rest of the batch is
  // not sent (see common::deliverInRequests), which also holds back the later
  // events of a failed ordering key. Safe to call concurrently.
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override;
  std::size_t maxBatchSize() const override { return config_.max_batch_size; }

private:
  std::vector<sdk::Outcome> publish(std::span<const common::Entry> entries);
  // `trace`: the request's traceparent headers (common::traceHeaders).
  sdk::Result<sdk::HttpResponse> send(const std::string& body, const std::string& authorization,
                                      const sdk::HttpHeaders& trace);

  sdk::Host& host_;
  PubSubSinkConfig config_;
  common::MeteredHttpClient client_;
  std::unique_ptr<GoogleToken> token_;  // null for the emulator
  common::RequestLimits limits_;
};

}  // namespace ccm::sinks::pubsub
