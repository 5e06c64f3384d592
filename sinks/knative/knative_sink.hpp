#pragma once

#include <memory>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/sink.hpp"
#include "http_sink.hpp"
#include "knative_sink_config.hpp"

namespace ccm::sinks::knative {

// Posts events to a Knative Eventing Broker or Channel ingress. The ingress is
// a CloudEvents HTTP endpoint, so the transport, content modes and response
// mapping are the http sink's own (an HttpSink inside); this class adds
// Knative's conventions: the broker URL, K_SINK, and K_CE_OVERRIDES. See
// docs/sinks/knative.md.
class KnativeSink final : public sdk::Sink {
public:
  // Throws std::invalid_argument naming the config key it cannot use.
  explicit KnativeSink(const sdk::PluginContext& context);

  // The http sink's delivery of the events with K_CE_OVERRIDES applied.
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override;

private:
  KnativeSinkConfig config_;
  std::unique_ptr<http::HttpSink> http_;
};

}  // namespace ccm::sinks::knative
