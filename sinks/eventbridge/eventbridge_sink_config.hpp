#pragma once

#include <cstddef>
#include <string>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/plugin.hpp"
#include "put_events.hpp"
#include "sigv4.hpp"

namespace ccm::sinks::eventbridge {

// The instance's "config" object, checked, with the region and credentials
// taken from the environment where the config leaves them out; defaults match
// schema.json.
struct EventBridgeSinkConfig {
  std::string region;
  std::string url;   // the endpoint, e.g. "https://events.eu-west-1.amazonaws.com/"
  std::string host;  // its authority, sent and signed as the Host header
  std::string path;  // its path, "/" unless a VPC endpoint says otherwise
  AwsCredentials credentials;
  EntryMapping mapping;
  sdk::HttpClientOptions client;
  std::size_t max_batch_size = 100;
};

// Reads context.config_json; secrets and the AWS_* variables are read through
// context.host. Throws std::invalid_argument naming the config key (or the
// environment variable) it cannot use.
EventBridgeSinkConfig parseConfig(const sdk::PluginContext& context);

}  // namespace ccm::sinks::eventbridge
