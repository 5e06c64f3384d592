#pragma once

#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/metered_http_client.hpp"
#include "http_sink_config.hpp"

namespace ccm::sinks::http {

// POSTs events to a CloudEvents HTTP endpoint in binary, structured or batch
// content mode over the host's pooled HTTP client. Holds no state between
// calls but the client, so deliver() may run concurrently. See docs/sinks/http.md.
class HttpSink final : public sdk::Sink {
public:
  // Throws std::invalid_argument naming the config key it cannot use.
  explicit HttpSink(const sdk::PluginContext& context);

  // Binary and structured: one request per event, in order, stopping at the
  // first retryable failure. Batch: one request whose outcome every event shares.
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override;
  // max_batch_size in batch mode; 0 (no limit) otherwise.
  std::size_t maxBatchSize() const override;

private:
  std::vector<sdk::Outcome> deliverEach(const std::vector<sdk::CloudEvent>& batch);
  // `webhook_id` names the request in its Standard Webhooks signature.
  sdk::Outcome post(sdk::HttpHeaders headers, std::string body, std::string_view webhook_id);

  sdk::Host& host_;
  HttpSinkConfig config_;
  common::MeteredHttpClient client_;
};

}  // namespace ccm::sinks::http
