#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/plugin.hpp"
#include "google_credentials.hpp"
#include "pubsub_message.hpp"

namespace ccm::sinks::pubsub {

// The instance's "config" object, checked, with the key file read and the
// environment Google's client libraries read (PUBSUB_EMULATOR_HOST,
// GOOGLE_APPLICATION_CREDENTIALS, GCE_METADATA_HOST) applied; defaults match
// schema.json.
struct PubSubSinkConfig {
  std::string publish_url;  // {endpoint}/v1/projects/{project}/topics/{topic}:publish
  MessageMapping mapping;
  std::optional<TokenSource> credentials;  // none: the emulator, which takes no credentials
  std::string emulator_host;               // PUBSUB_EMULATOR_HOST when set
  sdk::HttpClientOptions client;
  std::size_t max_batch_size = 100;
};

// Reads context.config_json; the key and the environment are read through
// context.host. Throws std::invalid_argument naming the config key (or the
// environment variable) it cannot use.
PubSubSinkConfig parseConfig(const sdk::PluginContext& context);

}  // namespace ccm::sinks::pubsub
