#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/plugin.hpp"

namespace ccm::sinks::eventgrid {

// Custom topics take CloudEvents at {endpoint}/api/events; namespace topics at
// {endpoint}/topics/{topic}:publish (Event Grid data-plane REST API).
enum class TopicType { Custom, Namespace };

// access_key: the key itself in a header; sas: a signed, expiring token made
// from the key; entra: a Microsoft Entra ID bearer token (client credentials).
enum class AuthType { AccessKey, Sas, Entra };

// The OAuth 2.0 client-credentials grant (RFC 6749 section 4.4) against
// Microsoft Entra ID's v2.0 token endpoint.
struct EntraSettings {
  std::string token_url;
  std::string client_id;
  std::string client_secret;
  std::string scope;
};

// The instance's "config" object, checked and with its secrets resolved;
// defaults match schema.json.
struct EventGridSinkConfig {
  TopicType topic_type = TopicType::Custom;
  std::string publish_url;  // the endpoint, path and ?api-version=
  std::string resource;     // what a SAS token is for: publish_url without its query
  AuthType auth = AuthType::AccessKey;
  std::string key;  // access_key and sas: the topic's (or namespace's) access key
  std::chrono::seconds sas_lifetime{3600};
  EntraSettings entra;
  sdk::HttpClientOptions client;
  std::size_t max_batch_size = 100;
};

// Reads context.config_json and resolves secrets through context.host.
// Throws std::invalid_argument naming the config key it cannot use.
EventGridSinkConfig parseConfig(const sdk::PluginContext& context);

}  // namespace ccm::sinks::eventgrid
