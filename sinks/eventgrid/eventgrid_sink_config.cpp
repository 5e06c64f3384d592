#include "eventgrid_sink_config.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "common/config_object.hpp"
#include "common/crypto.hpp"

namespace ccm::sinks::eventgrid {
namespace {

using common::ConfigObject;

// The data-plane API versions this sink speaks (Event Grid REST API reference).
constexpr std::string_view kCustomTopicApiVersion = "2018-01-01";
constexpr std::string_view kNamespaceApiVersion = "2023-11-01";
constexpr std::string_view kEntraScope = "https://eventgrid.azure.net/.default";
constexpr std::string_view kEntraLogin = "https://login.microsoftonline.com/";

bool consistsOf(std::string_view text, std::string_view extra) {
  return !text.empty() && std::ranges::all_of(text, [&](unsigned char c) {
    return std::isalnum(c) != 0 || extra.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

std::string requiredSecret(const ConfigObject& auth, sdk::Host& host, std::string_view name, std::string_view type) {
  auto secret = auth.secret(name, host);
  if (!secret) throw auth.error(name, "is required for auth type \"" + std::string(type) + "\"");
  return std::move(*secret);
}

// The endpoint as Azure shows it, without a trailing "/" and, for a custom
// topic, without the "/api/events" that `az eventgrid topic show` includes.
std::string endpointAt(const ConfigObject& config, TopicType type) {
  auto endpoint = config.url("endpoint");
  if (!endpoint) throw config.error("endpoint", "is required");
  if (endpoint->find_first_of("?#") != std::string::npos) {
    throw config.error("endpoint", "must not have a query or fragment (the sink adds api-version)");
  }
  while (endpoint->ends_with('/')) endpoint->pop_back();
  if (type == TopicType::Custom && endpoint->ends_with("/api/events")) {
    endpoint->resize(endpoint->size() - std::string_view("/api/events").size());
  }
  return *endpoint;
}

void readEntra(const ConfigObject& auth, sdk::Host& host, EntraSettings& entra) {
  auth.allowOnly({"type", "tenant_id", "client_id", "client_secret", "token_url", "scope"});
  const auto tenant = auth.string("tenant_id");
  const auto token_url = auth.url("token_url");
  if (tenant && token_url) throw auth.error("token_url", "conflicts with auth.tenant_id; set only one");
  if (tenant) {
    // A GUID or a domain name; it becomes part of the token URL's path.
    if (!consistsOf(*tenant, "-.")) throw auth.error("tenant_id", "must be a tenant GUID or domain name");
    entra.token_url = std::string(kEntraLogin) + *tenant + "/oauth2/v2.0/token";
  } else if (token_url) {
    entra.token_url = *token_url;
  } else {
    throw auth.error("tenant_id", "is required for auth type \"entra\" unless auth.token_url is set");
  }
  const auto client_id = auth.string("client_id");
  if (!client_id) throw auth.error("client_id", "is required for auth type \"entra\"");
  entra.client_id = *client_id;
  entra.client_secret = requiredSecret(auth, host, "client_secret", "entra");
  entra.scope = auth.string("scope").value_or(std::string(kEntraScope));
}

void readAuth(const ConfigObject& config, sdk::Host& host, EventGridSinkConfig& out) {
  const auto auth = config.object("auth");
  if (!auth) throw config.error("auth", "is required: type \"access_key\", \"sas\" or \"entra\"");
  const auto type = auth->choice("type", {"access_key", "sas", "entra"});
  if (!type) throw auth->error("type", "is required: \"access_key\", \"sas\" or \"entra\"");
  if (*type == "access_key") {
    auth->allowOnly({"type", "key"});
    out.auth = AuthType::AccessKey;
    out.key = requiredSecret(*auth, host, "key", *type);
  } else if (*type == "sas") {
    auth->allowOnly({"type", "key", "token_ttl_seconds"});
    out.auth = AuthType::Sas;
    out.key = requiredSecret(*auth, host, "key", *type);
    // The signature is keyed with the decoded bytes, so the key must be base64 as Azure issues it.
    if (!common::base64Decode(out.key)) throw auth->error("key", "must be the access key as Azure shows it (base64)");
    if (auto ttl = auth->integer("token_ttl_seconds", 600, 604800)) out.sas_lifetime = std::chrono::seconds(*ttl);
  } else {
    out.auth = AuthType::Entra;
    readEntra(*auth, host, out.entra);
  }
}

}  // namespace

EventGridSinkConfig parseConfig(const sdk::PluginContext& context) {
  const ConfigObject config("eventgrid", context.config_json);
  config.allowOnly({"topic_type", "endpoint", "topic", "api_version", "auth", "max_batch_size", "connect_timeout_ms",
                    "timeout_ms", "max_connections"});
  EventGridSinkConfig out;
  const auto topic_type = config.choice("topic_type", {"custom", "namespace"});
  out.topic_type = topic_type == "namespace" ? TopicType::Namespace : TopicType::Custom;
  const std::string endpoint = endpointAt(config, out.topic_type);

  const auto topic = config.string("topic");
  if (out.topic_type == TopicType::Namespace) {
    // Azure's rule for namespace topic names, which also keeps the URL path intact.
    if (!topic) throw config.error("topic", "is required for topic_type \"namespace\"");
    if (topic->size() < 3 || topic->size() > 50 || !consistsOf(*topic, "-")) {
      throw config.error("topic", "must be 3 to 50 letters, digits or '-'");
    }
    out.resource = endpoint + "/topics/" + *topic;
  } else {
    if (topic) throw config.error("topic", "only applies to topic_type \"namespace\" (a custom topic is its endpoint)");
    out.resource = endpoint + "/api/events";
  }
  const auto api_version = config.string("api_version");
  if (api_version && !consistsOf(*api_version, "-")) throw config.error("api_version", "must look like \"2023-11-01\"");
  const std::string_view default_version =
      out.topic_type == TopicType::Namespace ? kNamespaceApiVersion : kCustomTopicApiVersion;
  out.publish_url = out.resource + (out.topic_type == TopicType::Namespace ? ":publish" : "") +
                    "?api-version=" + api_version.value_or(std::string(default_version));

  readAuth(config, context.host, out);
  out.client = config.clientOptions();
  if (auto size = config.integer("max_batch_size", 1, 100000)) out.max_batch_size = *size;
  return out;
}

}  // namespace ccm::sinks::eventgrid
