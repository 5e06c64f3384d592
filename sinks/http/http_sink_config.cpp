#include "http_sink_config.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "common/crypto.hpp"
#include "webhook_signature.hpp"

namespace ccm::sinks::http {
namespace {

using rapidjson::Value;

constexpr std::string_view kDefaultUrlName = "CLOUDEVENTS_SINK_URL (cloudevents.sink_url)";
constexpr std::string_view kSecretForms = "a secret reference, \"env:NAME\" or \"file:/path\"";
// The client writes these itself (framing, keep-alive) or the binding owns them.
constexpr std::array<std::string_view, 4> kReservedHeaders = {"content-type", "content-length", "transfer-encoding",
                                                              "connection"};

std::invalid_argument invalid(std::string_view key, const std::string& why) {
  return std::invalid_argument("http sink config \"" + std::string(key) + "\": " + why);
}

std::string_view text(const Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

std::string asciiLower(std::string_view value) {
  std::string lower(value);
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// RFC 9110 section 5.6.2: a field name is a token.
bool isToken(std::string_view name) {
  constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::ranges::all_of(name, [&](unsigned char c) {
    return std::isalnum(c) != 0 || kSpecials.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

// RFC 9110 section 5.5: no control characters but tab; CR or LF would let a
// value inject headers of its own.
bool isFieldValue(std::string_view value) {
  return std::ranges::none_of(value, [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; });
}

std::string stringAt(const Value& value, std::string_view key) {
  if (!value.IsString()) throw invalid(key, "must be a string");
  return std::string(text(value));
}

std::uint64_t integerAt(const Value& value, std::string_view key, std::uint64_t min, std::uint64_t max) {
  if (!value.IsUint64() || value.GetUint64() < min || value.GetUint64() > max) {
    throw invalid(key, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value.GetUint64();
}

void checkUrl(const std::string& url, std::string_view name) {
  const std::string lower = asciiLower(url);
  const std::size_t host_start = lower.starts_with("https://") ? 8 : lower.starts_with("http://") ? 7 : 0;
  const bool has_host =
      host_start != 0 && host_start < url.size() && url.find_first_of("/?#", host_start) != host_start;
  const bool clean = std::ranges::none_of(url, [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
  if (!has_host || !clean) {
    throw std::invalid_argument("http sink config " + std::string(name) +
                                ": must be an http:// or https:// URL with a host, got \"" + url + "\"");
  }
}

ContentMode modeAt(const Value& value) {
  const std::string_view mode = value.IsString() ? text(value) : "";
  if (mode == "binary") return ContentMode::Binary;
  if (mode == "structured") return ContentMode::Structured;
  if (mode == "batch") return ContentMode::Batch;
  throw invalid("mode", "must be \"binary\", \"structured\" or \"batch\"");
}

sdk::HttpHeaders headersAt(const Value& value) {
  if (!value.IsObject()) throw invalid("headers", "must be an object of header names to string values");
  sdk::HttpHeaders headers;
  for (const auto& member : value.GetObject()) {
    const std::string name(text(member.name));
    const std::string key = "headers." + name;
    const std::string lower = asciiLower(name);
    if (!isToken(name)) throw invalid(key, "is not a valid header name (RFC 9110 token)");
    if (lower.starts_with("ce-")) {
      throw invalid(key, "ce-* headers carry event attributes (HTTP binding 3.1.3) and are set by the sink");
    }
    if (std::ranges::find(kReservedHeaders, lower) != kReservedHeaders.end()) {
      throw invalid(key, "is set by the sink and cannot be configured");
    }
    for (const auto& [existing, ignored] : headers) {
      if (asciiLower(existing) == lower) throw invalid(key, "repeats header \"" + existing + "\"");
    }
    const std::string header_value = stringAt(member.value, key);
    if (!isFieldValue(header_value)) throw invalid(key, "must not contain control characters such as CR or LF");
    headers.emplace_back(name, header_value);
  }
  return headers;
}

std::string secretAt(sdk::Host& host, const Value& value, const std::string& key) {
  if (!value.IsString()) throw invalid(key, "must be " + std::string(kSecretForms));
  const std::string reference(text(value));
  auto secret = host.resolveSecret(reference);
  if (!secret) throw invalid(key, secret.error().message);
  // The secret's value never goes into a message.
  if (secret.value().empty()) throw invalid(key, "secret \"" + reference + "\" is empty");
  if (!isFieldValue(secret.value())) {
    throw invalid(key, "secret \"" + reference + "\" contains control characters, which a header cannot carry");
  }
  return secret.value();
}

// The Authorization header value for the "auth" object.
std::string authorizationAt(sdk::Host& host, const Value& auth) {
  if (!auth.IsObject()) throw invalid("auth", "must be an object");
  constexpr std::array<std::string_view, 4> kNames = {"type", "token", "username", "password"};
  std::array<const Value*, 4> fields{};
  for (const auto& member : auth.GetObject()) {
    const auto it = std::ranges::find(kNames, text(member.name));
    if (it == kNames.end()) throw invalid("auth." + std::string(text(member.name)), "is not a known setting");
    fields[it - kNames.begin()] = &member.value;
  }
  const auto& [type, token, username, password] = fields;
  if (type == nullptr) throw invalid("auth.type", "is required (\"bearer\" or \"basic\")");
  const std::string_view kind = type->IsString() ? text(*type) : "";
  if (kind == "bearer") {
    if (username != nullptr || password != nullptr) {
      throw invalid(username != nullptr ? "auth.username" : "auth.password", "only applies to auth type \"basic\"");
    }
    if (token == nullptr) throw invalid("auth.token", "is required for auth type \"bearer\"");
    return "Bearer " + secretAt(host, *token, "auth.token");
  }
  if (kind == "basic") {
    if (token != nullptr) throw invalid("auth.token", "only applies to auth type \"bearer\"");
    if (username == nullptr) throw invalid("auth.username", "is required for auth type \"basic\"");
    if (password == nullptr) throw invalid("auth.password", "is required for auth type \"basic\"");
    const std::string user = stringAt(*username, "auth.username");
    // RFC 7617 section 2: the user-id cannot contain a colon.
    if (user.empty() || user.find(':') != std::string::npos || !isFieldValue(user)) {
      throw invalid("auth.username", "must be a non-empty string without \":\" or control characters");
    }
    return "Basic " + common::base64Encode(user + ":" + secretAt(host, *password, "auth.password"));
  }
  throw invalid("auth.type", "must be \"bearer\" or \"basic\"");
}

// Standard Webhooks signing keys: each secret "whsec_<base64>", at least
// the 24 bytes the spec asks for.
std::vector<std::string> signingKeysAt(sdk::Host& host, const Value& value) {
  if (!value.IsObject()) throw invalid("signing", "must be an object: {\"secrets\": [...]}");
  const Value* secrets = nullptr;
  for (const auto& member : value.GetObject()) {
    if (text(member.name) != "secrets") throw invalid("signing." + std::string(text(member.name)), "is not a known setting");
    secrets = &member.value;
  }
  if (secrets == nullptr || !secrets->IsArray() || secrets->Empty()) {
    throw invalid("signing.secrets", "must list one or more secrets, each " + std::string(kSecretForms));
  }
  std::vector<std::string> keys;
  for (rapidjson::SizeType i = 0; i < secrets->Size(); ++i) {
    const std::string key = "signing.secrets[" + std::to_string(i) + "]";
    const auto raw = webhookKeyOf(secretAt(host, (*secrets)[i], key));
    if (!raw) throw invalid(key, "the secret must be \"whsec_\" followed by the key in base64 (Standard Webhooks)");
    if (raw->size() < 24) {
      throw invalid(key, "the key is " + std::to_string(raw->size()) +
                             " bytes; Standard Webhooks keys are 24 to 64 random bytes");
    }
    keys.push_back(*raw);
  }
  return keys;
}

std::string readableFileAt(const Value& value, const std::string& key) {
  const std::string path = stringAt(value, key);
  std::error_code error;
  if (path.empty() || !std::filesystem::is_regular_file(path, error) || !std::ifstream(path)) {
    throw invalid(key, "cannot read file \"" + path + "\"");
  }
  return path;
}

sdk::TlsOptions tlsAt(const Value& value) {
  if (!value.IsObject()) throw invalid("tls", "must be an object");
  sdk::TlsOptions tls;
  for (const auto& member : value.GetObject()) {
    const std::string name(text(member.name));
    const std::string key = "tls." + name;
    if (name == "ca_file") {
      tls.ca_file = readableFileAt(member.value, key);
    } else if (name == "cert_file") {
      tls.cert_file = readableFileAt(member.value, key);
    } else if (name == "key_file") {
      tls.key_file = readableFileAt(member.value, key);
    } else if (name == "verify") {
      if (!member.value.IsBool()) throw invalid(key, "must be a boolean");
      tls.verify_peer = member.value.GetBool();
    } else {
      throw invalid(key, "is not a known setting");
    }
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    throw invalid(tls.cert_file.empty() ? "tls.cert_file" : "tls.key_file",
                  "is required when tls.cert_file or tls.key_file is set (a client certificate needs its key)");
  }
  return tls;
}

}  // namespace

HttpSinkConfig parseConfig(const sdk::PluginContext& context) {
  rapidjson::Document document;
  // A missing "config" object may reach us as empty text.
  const std::string json = context.config_json.empty() ? "{}" : context.config_json;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject())
    throw std::invalid_argument("http sink config: must be a JSON object");

  HttpSinkConfig config;
  std::optional<std::string> url;
  const Value* auth = nullptr;
  bool has_tls = false;
  bool has_batch_size = false;
  for (const auto& member : document.GetObject()) {
    const std::string_view key = text(member.name);
    const Value& value = member.value;
    if (key == "url") {
      url = stringAt(value, key);
    } else if (key == "mode") {
      config.mode = modeAt(value);
    } else if (key == "headers") {
      config.headers = headersAt(value);
    } else if (key == "auth") {
      auth = &value;
    } else if (key == "tls") {
      config.client.tls = tlsAt(value);
      has_tls = true;
    } else if (key == "connect_timeout_ms") {
      config.client.connect_timeout = std::chrono::milliseconds(integerAt(value, key, 1, 600000));
    } else if (key == "timeout_ms") {
      config.client.read_timeout = std::chrono::milliseconds(integerAt(value, key, 1, 3600000));
    } else if (key == "max_connections") {
      config.client.max_idle_connections = integerAt(value, key, 0, 1024);
    } else if (key == "signing") {
      config.signing_keys = signingKeysAt(context.host, value);
    } else if (key == "max_batch_size") {
      config.max_batch_size = integerAt(value, key, 1, 100000);
      has_batch_size = true;
    } else {
      throw invalid(key, "is not a known setting");
    }
  }

  if (url) {
    checkUrl(*url, "\"url\"");
    config.url = *url;
  } else if (!context.default_sink_url.empty()) {
    checkUrl(context.default_sink_url, kDefaultUrlName);
    config.url = context.default_sink_url;
  } else {
    throw invalid("url", "is required when " + std::string(kDefaultUrlName) + " is not set");
  }
  if (has_tls && !asciiLower(config.url).starts_with("https://")) {
    throw invalid("tls", "only applies to an https:// URL, got \"" + config.url + "\"");
  }
  if (has_batch_size && config.mode != ContentMode::Batch) {
    throw invalid("max_batch_size", "only applies to mode \"batch\" (binary and structured send one event a request)");
  }
  if (!config.signing_keys.empty()) {
    for (const auto& [name, ignored] : config.headers) {
      if (asciiLower(name).starts_with("webhook-"))
        throw invalid("headers." + name, "conflicts with \"signing\", which sets the webhook-* headers");
    }
  }
  if (auth != nullptr) {
    for (const auto& [name, ignored] : config.headers) {
      if (asciiLower(name) == "authorization")
        throw invalid("headers." + name, "conflicts with \"auth\"; set only one");
    }
    config.headers.emplace_back("Authorization", authorizationAt(context.host, *auth));
  }
  return config;
}

}  // namespace ccm::sinks::http
