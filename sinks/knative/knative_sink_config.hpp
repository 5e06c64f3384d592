#pragma once

#include <map>
#include <string>
#include <string_view>

#include "ccm/sdk/plugin.hpp"

namespace ccm::sinks::knative {

// Knative Eventing's default multi-tenant broker ingress (Broker docs,
// "Broker ingress"): POST {ingress}/{namespace}/{broker}.
inline constexpr std::string_view kDefaultBrokerIngress = "http://broker-ingress.knative-eventing.svc.cluster.local";

// The instance's "config" object resolved: what the http sink is given, and
// the extension attributes Knative asks every event to carry.
struct KnativeSinkConfig {
  std::string url;
  // The http sink's config: "url", "mode" and the transport settings
  // (headers, auth, tls, timeouts, max_connections) passed through as given.
  std::string http_config_json;
  // K_CE_OVERRIDES' "extensions": set on every event, replacing its own value.
  std::map<std::string, std::string> overrides;
};

// The URL is, in this order: "url"; the broker ingress for "broker" in
// "namespace"; K_SINK (set by a Knative SinkBinding or ContainerSource);
// CLOUDEVENTS_SINK_URL (cloudevents.sink_url). Environment variables are read
// through context.host. Throws std::invalid_argument naming the key or variable.
KnativeSinkConfig parseConfig(const sdk::PluginContext& context);

}  // namespace ccm::sinks::knative
