#include "knative_sink_config.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>

#include "common/config_object.hpp"

namespace ccm::sinks::knative {
namespace {

using common::ConfigObject;

constexpr std::string_view kDefaultUrlName = "CLOUDEVENTS_SINK_URL (cloudevents.sink_url)";
// The keys that choose the URL; the http sink gets the URL instead.
constexpr std::array<const char*, 4> kUrlKeys = {"url", "broker", "namespace", "broker_ingress"};
// Context attributes and data members, which an override must not replace.
constexpr std::array<std::string_view, 10> kReservedNames = {
    "specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time", "data", "data_base64"};

// Kubernetes names (RFC 1123 labels), which both become path segments.
bool isDnsLabel(std::string_view name) {
  return !name.empty() && name.size() <= 63 && name.front() != '-' && name.back() != '-' &&
         std::ranges::all_of(name, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::optional<std::string> environment(sdk::Host& host, const std::string& name) {
  auto value = host.resolveSecret("env:" + name);
  if (!value || value.value().empty()) return std::nullopt;
  return std::move(value.value());
}

std::string brokerUrl(const ConfigObject& config, const std::string& broker) {
  const auto ns = config.string("namespace");
  if (!ns) throw config.error("namespace", "is required with \"broker\"");
  if (!isDnsLabel(broker)) throw config.error("broker", "must be a Kubernetes name (lower-case letters, digits, '-')");
  if (!isDnsLabel(*ns)) throw config.error("namespace", "must be a Kubernetes name (lower-case letters, digits, '-')");
  std::string ingress = config.url("broker_ingress").value_or(std::string(kDefaultBrokerIngress));
  while (ingress.ends_with('/')) ingress.pop_back();
  return ingress + "/" + *ns + "/" + broker;
}

std::string urlOf(const ConfigObject& config, const sdk::PluginContext& context) {
  const auto url = config.url("url");
  const auto broker = config.string("broker");
  if (url) {
    for (const char* key : {"broker", "namespace", "broker_ingress"}) {
      if (config.has(key)) throw config.error(key, "conflicts with \"url\"; set only one way to the URL");
    }
    return *url;
  }
  if (broker) return brokerUrl(config, *broker);
  for (const char* key : {"namespace", "broker_ingress"}) {
    if (config.has(key)) throw config.error(key, "only applies with \"broker\"");
  }
  if (auto k_sink = environment(context.host, "K_SINK")) {
    if (!common::isHttpUrl(*k_sink)) {
      throw config.errorAbout("K_SINK", "must be an http:// or https:// URL with a host, got \"" + *k_sink + "\"");
    }
    return *k_sink;
  }
  if (!context.default_sink_url.empty()) {
    if (!common::isHttpUrl(context.default_sink_url)) {
      throw config.errorAbout(
          kDefaultUrlName, "must be an http:// or https:// URL with a host, got \"" + context.default_sink_url + "\"");
    }
    return context.default_sink_url;
  }
  throw config.error("url",
                     "is required when neither \"broker\", K_SINK nor " + std::string(kDefaultUrlName) + " is set");
}

// Knative's CloudEventOverrides: {"extensions": {"name": "value", ...}}.
std::map<std::string, std::string> overridesOf(const ConfigObject& config, sdk::Host& host) {
  const auto text = environment(host, "K_CE_OVERRIDES");
  if (!text) return {};
  rapidjson::Document document;
  document.Parse(text->data(), text->size());
  if (document.HasParseError() || !document.IsObject())
    throw config.errorAbout("K_CE_OVERRIDES", "must be a JSON object");
  std::map<std::string, std::string> overrides;
  for (const auto& member : document.GetObject()) {
    const std::string name(member.name.GetString(), member.name.GetStringLength());
    if (name != "extensions")
      throw config.errorAbout("K_CE_OVERRIDES." + name, "is not a known member (only \"extensions\")");
    if (!member.value.IsObject()) throw config.errorAbout("K_CE_OVERRIDES.extensions", "must be an object");
    for (const auto& extension : member.value.GetObject()) {
      const std::string key(extension.name.GetString(), extension.name.GetStringLength());
      const std::string where = "K_CE_OVERRIDES.extensions." + key;
      // CloudEvents 1.0.2, attribute naming: lower-case ASCII letters and digits.
      const bool valid_name = !key.empty() && std::ranges::all_of(key, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      });
      if (!valid_name) throw config.errorAbout(where, "is not a CloudEvents attribute name (a-z, 0-9)");
      if (std::ranges::find(kReservedNames, key) != kReservedNames.end()) {
        throw config.errorAbout(where, "names a context attribute; only extensions can be overridden");
      }
      if (!extension.value.IsString()) throw config.errorAbout(where, "must be a string");
      overrides[key] = std::string(extension.value.GetString(), extension.value.GetStringLength());
    }
  }
  return overrides;
}

// The config as given, minus the URL keys, plus the chosen URL. Parsed as
// ConfigObject parsed it (by length: rapidjson then skips a leading 0xEF as a
// byte-order mark, where a NUL-terminated parse fails), so it is an object.
std::string httpConfigJson(const std::string& config_json, const std::string& url) {
  rapidjson::Document document;
  if (config_json.empty()) {
    document.SetObject();
  } else {
    document.Parse(config_json.data(), config_json.size());
  }
  for (const char* key : kUrlKeys) document.RemoveMember(key);
  document.AddMember("url", rapidjson::Value(url.c_str(), document.GetAllocator()), document.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

KnativeSinkConfig parseConfig(const sdk::PluginContext& context) {
  const ConfigObject config("knative", context.config_json);
  config.allowOnly({"url", "broker", "namespace", "broker_ingress", "mode", "headers", "auth", "tls",
                    "connect_timeout_ms", "timeout_ms", "max_connections"});
  // Knative's ingresses take binary and structured requests, not batches.
  config.choice("mode", {"binary", "structured"});
  KnativeSinkConfig out;
  out.url = urlOf(config, context);
  out.http_config_json = httpConfigJson(context.config_json, out.url);
  out.overrides = overridesOf(config, context.host);
  return out;
}

}  // namespace ccm::sinks::knative
