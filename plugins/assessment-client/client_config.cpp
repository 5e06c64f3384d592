#include "client_config.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace ccm::plugins::assessment_client {
namespace {

using rapidjson::Value;

std::invalid_argument invalid(std::string_view key, const std::string& why) {
  return std::invalid_argument("assessment-client config \"" + std::string(key) + "\": " + why);
}

std::string_view text(const Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

std::string stringAt(const Value& value, std::string_view key) {
  if (!value.IsString() || value.GetStringLength() == 0) throw invalid(key, "must be a non-empty string");
  return std::string(text(value));
}

std::uint64_t integerAt(const Value& value, std::string_view key, std::uint64_t min, std::uint64_t max) {
  if (!value.IsUint64() || value.GetUint64() < min || value.GetUint64() > max) {
    throw invalid(key, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value.GetUint64();
}

// An http:// or https:// URL with a host and nothing that could split a request line.
std::string urlAt(const Value& value, std::string_view key) {
  std::string url = stringAt(value, key);
  std::string lower = url;
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::size_t host_start = lower.starts_with("https://") ? 8 : lower.starts_with("http://") ? 7 : 0;
  const bool has_host =
      host_start != 0 && host_start < url.size() && url.find_first_of("/?#", host_start) != host_start;
  const bool clean = std::ranges::none_of(url, [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
  if (!has_host || !clean || url.find_first_of("?#") != std::string::npos) {
    throw invalid(key, "must be an http:// or https:// URL with a host and no query, got \"" + url + "\"");
  }
  return url;
}

std::string secretAt(sdk::Host& host, const Value& value, std::string_view key) {
  const std::string reference = stringAt(value, key);
  if (!reference.starts_with("env:") && !reference.starts_with("file:")) {
    throw invalid(key, "must be a secret reference, \"env:NAME\" or \"file:/path\"");
  }
  auto secret = host.resolveSecret(reference);
  if (!secret) throw invalid(key, secret.error().message);
  // The secret's value never goes into a message.
  if (secret.value().empty()) throw invalid(key, "secret \"" + reference + "\" is empty");
  return secret.value();
}

template <class Read>
void forEachMember(const Value& object, std::string_view key, Read read) {
  if (!object.IsObject()) throw invalid(key, "must be an object");
  for (const auto& member : object.GetObject()) read(text(member.name), member.value);
}

RetryPolicy retryAt(const Value& value) {
  RetryPolicy retry;
  forEachMember(value, "retry", [&](std::string_view name, const Value& field) {
    const std::string key = "retry." + std::string(name);
    if (name == "max_attempts") {
      retry.max_attempts = static_cast<int>(integerAt(field, key, 1, 20));
    } else if (name == "initial_backoff_ms") {
      retry.initial_backoff = std::chrono::milliseconds(integerAt(field, key, 1, 60000));
    } else if (name == "max_backoff_ms") {
      retry.max_backoff = std::chrono::milliseconds(integerAt(field, key, 1, 600000));
    } else {
      throw invalid(key, "is not a known setting");
    }
  });
  if (retry.max_backoff < retry.initial_backoff) {
    throw invalid("retry.max_backoff_ms", "must not be less than retry.initial_backoff_ms");
  }
  return retry;
}

sdk::CircuitBreakerPolicy breakerAt(const Value& value) {
  sdk::CircuitBreakerPolicy breaker;
  forEachMember(value, "circuit_breaker", [&](std::string_view name, const Value& field) {
    const std::string key = "circuit_breaker." + std::string(name);
    if (name == "failure_threshold") {
      breaker.failure_threshold = static_cast<int>(integerAt(field, key, 1, 1000));
    } else if (name == "open_ms") {
      breaker.open_for = std::chrono::milliseconds(integerAt(field, key, 1, 3600000));
    } else {
      throw invalid(key, "is not a known setting");
    }
  });
  return breaker;
}

std::string readableFileAt(const Value& value, const std::string& key) {
  const std::string path = stringAt(value, key);
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error) || !std::ifstream(path)) {
    throw invalid(key, "cannot read file \"" + path + "\"");
  }
  return path;
}

sdk::TlsOptions tlsAt(const Value& value) {
  sdk::TlsOptions tls;
  forEachMember(value, "tls", [&](std::string_view name, const Value& field) {
    const std::string key = "tls." + std::string(name);
    if (name == "ca_file") {
      tls.ca_file = readableFileAt(field, key);
    } else if (name == "verify") {
      if (!field.IsBool()) throw invalid(key, "must be a boolean");
      tls.verify_peer = field.GetBool();
    } else {
      throw invalid(key, "is not a known setting");
    }
  });
  return tls;
}

}  // namespace

AssessmentClientConfig parseConfig(const sdk::PluginContext& context) {
  rapidjson::Document document;
  const std::string json = context.config_json.empty() ? "{}" : context.config_json;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) {
    throw std::invalid_argument("assessment-client config: must be a JSON object");
  }

  AssessmentClientConfig config;
  bool has_secret = false;
  for (const auto& member : document.GetObject()) {
    const std::string_view key = text(member.name);
    const Value& value = member.value;
    if (key == "base_url") {
      config.base_url = urlAt(value, key);
      while (config.base_url.ends_with('/')) config.base_url.pop_back();
    } else if (key == "token_url") {
      config.token_url = urlAt(value, key);
    } else if (key == "client_id") {
      config.client_id = stringAt(value, key);
    } else if (key == "client_secret") {
      config.client_secret = secretAt(context.host, value, key);
      has_secret = true;
    } else if (key == "client_authentication") {
      const std::string_view kind = value.IsString() ? text(value) : "";
      if (kind != "basic" && kind != "form") throw invalid(key, "must be \"basic\" or \"form\"");
      config.client_authentication = kind == "basic" ? ClientAuthentication::Basic : ClientAuthentication::Form;
    } else if (key == "token_refresh_margin_seconds") {
      config.token_refresh_margin = std::chrono::seconds(integerAt(value, key, 0, 3600));
    } else if (key == "connect_timeout_ms") {
      config.http.connect_timeout = std::chrono::milliseconds(integerAt(value, key, 1, 600000));
    } else if (key == "timeout_ms") {
      config.http.read_timeout = std::chrono::milliseconds(integerAt(value, key, 1, 3600000));
    } else if (key == "tls") {
      config.http.tls = tlsAt(value);
    } else if (key == "retry") {
      config.retry = retryAt(value);
    } else if (key == "circuit_breaker") {
      config.breaker = breakerAt(value);
    } else {
      throw invalid(key, "is not a known setting");
    }
  }
  for (const auto& [key, missing] :
       {std::pair{"base_url", config.base_url.empty()}, std::pair{"token_url", config.token_url.empty()},
        std::pair{"client_id", config.client_id.empty()}, std::pair{"client_secret", !has_secret}}) {
    if (missing) throw invalid(key, "is required");
  }
  return config;
}

}  // namespace ccm::plugins::assessment_client
