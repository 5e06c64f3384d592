#include "pubsub_sink_config.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string_view>

#include "common/config_object.hpp"
#include "common/percent_encoding.hpp"

namespace ccm::sinks::pubsub {
namespace {

using common::ConfigObject;

constexpr std::string_view kDefaultEndpoint = "https://pubsub.googleapis.com";

// A set but empty variable counts as unset, as Google's client libraries treat it.
std::optional<std::string> environment(sdk::Host& host, const std::string& name) {
  auto value = host.resolveSecret("env:" + name);
  if (!value || value.value().empty()) return std::nullopt;
  return std::move(value.value());
}

bool consistsOf(std::string_view text, std::string_view extra) {
  return std::ranges::all_of(text, [&](unsigned char c) {
    return std::isalnum(c) != 0 || extra.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

// "host" or "host:port", as the *_HOST variables of Google's libraries hold it.
bool isHostAndPort(std::string_view text) {
  return !text.empty() && consistsOf(text, ".-:[]");
}

std::string projectOf(const ConfigObject& config) {
  const auto project = config.string("project");
  if (!project) throw config.error("project", "is required");
  // Project IDs: lower-case letters, digits and '-'; older ones have a domain and ':'.
  if (!std::islower(static_cast<unsigned char>(project->front())) || !consistsOf(*project, "-.:") ||
      std::ranges::any_of(*project, [](unsigned char c) { return std::isupper(c) != 0; })) {
    throw config.error("project", "must be a Google Cloud project ID such as \"ccm-labs\", got \"" + *project + "\"");
  }
  return *project;
}

// Pub/Sub's rule for topic IDs ("Resource names").
std::string topicOf(const ConfigObject& config) {
  const auto topic = config.string("topic");
  if (!topic) throw config.error("topic", "is required");
  if (topic->size() < 3 || topic->size() > 255 || !std::isalpha(static_cast<unsigned char>(topic->front())) ||
      !consistsOf(*topic, "-_.~+%") || topic->starts_with("goog")) {
    throw config.error("topic",
                       "must be a topic ID: 3 to 255 letters, digits, '-', '_', '.', '~', '+' or '%', starting with a "
                       "letter and not with \"goog\"");
  }
  return *topic;
}

std::string endpointOf(const ConfigObject& config) {
  std::string endpoint = config.url("endpoint").value_or(std::string(kDefaultEndpoint));
  if (endpoint.find_first_of("?#") != std::string::npos) throw config.error("endpoint", "must not have a query");
  while (endpoint.ends_with('/')) endpoint.pop_back();
  return endpoint;
}

ServiceAccountKey keyOf(const ConfigObject& config, const std::string& text, const std::string& where,
                        bool from_config) {
  try {
    return parseServiceAccountKey(text);
  } catch (const std::invalid_argument& e) {
    throw from_config ? config.error(where, e.what()) : config.errorAbout(where, e.what());
  }
}

std::string metadataUrl(const ConfigObject& config, sdk::Host& host) {
  const auto override_host = environment(host, "GCE_METADATA_HOST");
  if (override_host && !isHostAndPort(*override_host)) {
    throw config.errorAbout("GCE_METADATA_HOST", "must be a host and optional port such as \"127.0.0.1:8080\", got \"" +
                                                     *override_host + "\"");
  }
  return "http://" + override_host.value_or(std::string(kMetadataHost)) + std::string(kMetadataTokenPath);
}

TokenSource credentialsOf(const ConfigObject& config, sdk::Host& host) {
  if (const auto given = config.object("credentials")) {
    const auto type = given->choice("type", {"service_account", "metadata_server"});
    if (!type) throw given->error("type", "is required: \"service_account\" or \"metadata_server\"");
    if (*type == "metadata_server") {
      given->allowOnly({"type"});
      return {std::nullopt, metadataUrl(config, host)};
    }
    given->allowOnly({"type", "key"});
    const auto key = given->secretText("key", host);
    if (!key) throw given->error("key", "is required for type \"service_account\"");
    return {keyOf(*given, *key, "key", true), ""};
  }
  // Application Default Credentials: a key file named by the variable, else the metadata server.
  if (const auto path = environment(host, "GOOGLE_APPLICATION_CREDENTIALS")) {
    auto key = host.resolveSecret("file:" + *path);
    if (!key) throw config.errorAbout("GOOGLE_APPLICATION_CREDENTIALS", key.error().message);
    return {keyOf(config, key.value(), "GOOGLE_APPLICATION_CREDENTIALS", false), ""};
  }
  return {std::nullopt, metadataUrl(config, host)};
}

}  // namespace

PubSubSinkConfig parseConfig(const sdk::PluginContext& context) {
  const ConfigObject config("pubsub", context.config_json);
  config.allowOnly({"project", "topic", "endpoint", "ordering", "mode", "credentials", "max_batch_size",
                    "connect_timeout_ms", "timeout_ms", "max_connections"});
  PubSubSinkConfig out;
  const std::string project = projectOf(config);
  const std::string topic = topicOf(config);
  std::string endpoint = endpointOf(config);
  out.mapping.ordering = config.boolean("ordering").value_or(false);
  out.mapping.mode = config.choice("mode", {"binary", "structured"}).value_or("binary") == "binary"
                         ? ContentMode::Binary
                         : ContentMode::Structured;
  // As Google's client libraries do: the emulator replaces the endpoint, over plain HTTP without credentials.
  if (auto emulator = environment(context.host, "PUBSUB_EMULATOR_HOST")) {
    if (!isHostAndPort(*emulator)) {
      throw config.errorAbout("PUBSUB_EMULATOR_HOST",
                              "must be a host and port such as \"localhost:8085\", got \"" + *emulator + "\"");
    }
    endpoint = "http://" + *emulator;
    out.emulator_host = std::move(*emulator);
  } else {
    out.credentials = credentialsOf(config, context.host);
  }
  using common::percentEncode;
  out.publish_url =
      endpoint + "/v1/projects/" + percentEncode(project) + "/topics/" + percentEncode(topic) + ":publish";
  out.client = config.clientOptions();
  if (auto size = config.integer("max_batch_size", 1, 100000)) out.max_batch_size = *size;
  return out;
}

}  // namespace ccm::sinks::pubsub
