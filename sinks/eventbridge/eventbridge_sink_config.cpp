#include "eventbridge_sink_config.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "common/config_object.hpp"

namespace ccm::sinks::eventbridge {
namespace {

using common::ConfigObject;

// A set but empty variable counts as unset, as the AWS SDKs treat it.
std::optional<std::string> environment(const ConfigObject& config, sdk::Host& host, const std::string& name) {
  auto value = host.resolveSecret("env:" + name);
  if (!value || value.value().empty()) return std::nullopt;
  if (!common::isFieldValue(value.value())) throw config.errorAbout(name, "contains control characters");
  return std::move(value.value());
}

std::string regionOf(const ConfigObject& config, sdk::Host& host) {
  auto region = config.string("region");
  const bool from_config = region.has_value();
  if (!region) region = environment(config, host, "AWS_REGION");
  if (!region) throw config.error("region", "is required when AWS_REGION is not set");
  // Region names are lower-case letters, digits and '-'; the default endpoint's host name is made from it.
  if (!std::ranges::all_of(*region, [](unsigned char c) { return std::islower(c) || std::isdigit(c) || c == '-'; })) {
    const std::string why = "must be an AWS region name such as \"eu-west-1\", got \"" + *region + "\"";
    throw from_config ? config.error("region", why) : config.errorAbout("AWS_REGION", why);
  }
  return *region;
}

void readEndpoint(const ConfigObject& config, EventBridgeSinkConfig& out) {
  out.url = config.url("endpoint").value_or("https://events." + out.region + ".amazonaws.com/");
  const std::size_t authority = out.url.find("://") + 3;
  const std::size_t path = out.url.find('/', authority);
  out.host = out.url.substr(authority, path - authority);
  out.path = path == std::string::npos ? "/" : out.url.substr(path);
  // SigV4 signs the path as sent; keeping it to unreserved characters and '/'
  // makes that the canonical URI without re-encoding, and rules out a query.
  const bool plain = std::ranges::all_of(out.path, [](unsigned char c) {
    return std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~';
  });
  if (!plain) {
    throw config.error(
        "endpoint",
        "must have a path of letters, digits, '/', '-', '.', '_' or '~' and no query, got \"" + out.url + "\"");
  }
}

AwsCredentials credentialsOf(const ConfigObject& config, sdk::Host& host) {
  AwsCredentials credentials;
  if (const auto given = config.object("credentials")) {
    given->allowOnly({"access_key_id", "secret_access_key", "session_token"});
    auto id = given->secret("access_key_id", host);
    auto secret = given->secret("secret_access_key", host);
    if (!id) throw given->error("access_key_id", "is required in \"credentials\"");
    if (!secret) throw given->error("secret_access_key", "is required in \"credentials\"");
    credentials = {std::move(*id), std::move(*secret), given->secret("session_token", host).value_or("")};
    return credentials;
  }
  // The AWS SDKs' environment credentials, read when the sink starts.
  auto id = environment(config, host, "AWS_ACCESS_KEY_ID");
  auto secret = environment(config, host, "AWS_SECRET_ACCESS_KEY");
  if (!id || !secret) {
    throw config.error("credentials", "is required when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  }
  credentials = {std::move(*id), std::move(*secret), environment(config, host, "AWS_SESSION_TOKEN").value_or("")};
  return credentials;
}

}  // namespace

EventBridgeSinkConfig parseConfig(const sdk::PluginContext& context) {
  const ConfigObject config("eventbridge", context.config_json);
  config.allowOnly({"region", "endpoint", "event_bus_name", "credentials", "source", "detail", "resources",
                    "max_batch_size", "connect_timeout_ms", "timeout_ms", "max_connections"});
  EventBridgeSinkConfig out;
  out.region = regionOf(config, context.host);
  readEndpoint(config, out);
  out.credentials = credentialsOf(config, context.host);
  out.mapping.source = config.string("source").value_or("");
  out.mapping.detail = config.choice("detail", {"event", "data"}) == "data" ? DetailSource::Data : DetailSource::Event;
  out.mapping.resources_from_subject = config.choice("resources", {"subject", "none"}) != "none";
  out.mapping.event_bus_name = config.string("event_bus_name").value_or("");
  out.client = config.clientOptions();
  if (auto size = config.integer("max_batch_size", 1, 100000)) out.max_batch_size = *size;
  return out;
}

}  // namespace ccm::sinks::eventbridge
