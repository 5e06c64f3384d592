#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/plugin.hpp"

namespace ccm::sinks::http {

// CloudEvents HTTP binding 1.0.2 section 3: the three content modes.
enum class ContentMode { Binary, Structured, Batch };

// The instance's "config" object, checked and with its secrets resolved;
// defaults match schema.json.
struct HttpSinkConfig {
  std::string url;
  ContentMode mode = ContentMode::Binary;
  sdk::HttpHeaders headers;  // the configured extra headers, then Authorization
  sdk::HttpClientOptions client;
  std::size_t max_batch_size = 100;
  // Standard Webhooks HMAC keys, one signature each; empty: not signed.
  std::vector<std::string> signing_keys;
};

// Reads context.config_json (falling back to context.default_sink_url for the
// URL) and resolves auth secrets through context.host. Throws
// std::invalid_argument naming the config key it cannot use.
HttpSinkConfig parseConfig(const sdk::PluginContext& context);

}  // namespace ccm::sinks::http
