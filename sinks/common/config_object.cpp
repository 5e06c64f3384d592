#include "common/config_object.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <utility>

namespace ccm::sinks::common {
namespace {

std::string_view text(const rapidjson::Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

std::string quotedList(std::initializer_list<std::string_view> choices) {
  std::string list;
  std::size_t index = 0;
  for (const auto choice : choices) {
    if (index > 0) list += index + 1 == choices.size() ? " or " : ", ";
    list += "\"" + std::string(choice) + "\"";
    ++index;
  }
  return list;
}

}  // namespace

ConfigObject::ConfigObject(std::string sink, const std::string& config_json) : sink_(std::move(sink)) {
  auto document = std::make_shared<rapidjson::Document>();
  // A missing "config" object may reach the plugin as empty text.
  const std::string json = config_json.empty() ? "{}" : config_json;
  document->Parse(json.data(), json.size());
  if (document->HasParseError() || !document->IsObject()) {
    throw std::invalid_argument(sink_ + " sink config: must be a JSON object");
  }
  value_ = document.get();
  document_ = std::move(document);
}

ConfigObject::ConfigObject(std::shared_ptr<const rapidjson::Document> document, const rapidjson::Value& value,
                           std::string sink, std::string prefix)
    : document_(std::move(document)), value_(&value), sink_(std::move(sink)), prefix_(std::move(prefix)) {}

void ConfigObject::allowOnly(std::initializer_list<std::string_view> known) const {
  for (const auto& member : value_->GetObject()) {
    if (std::ranges::find(known, text(member.name)) == known.end()) {
      throw error(text(member.name), "is not a known setting");
    }
  }
}

bool ConfigObject::has(std::string_view name) const {
  return member(name) != nullptr;
}

std::vector<std::string> ConfigObject::names() const {
  std::vector<std::string> out;
  for (const auto& member : value_->GetObject()) out.emplace_back(text(member.name));
  return out;
}

const rapidjson::Value* ConfigObject::member(std::string_view name) const {
  const auto it = value_->FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  return it == value_->MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string> ConfigObject::string(std::string_view name) const {
  const auto* value = member(name);
  if (value == nullptr) return std::nullopt;
  if (!value->IsString() || value->GetStringLength() == 0) throw error(name, "must be a non-empty string");
  return std::string(text(*value));
}

std::optional<bool> ConfigObject::boolean(std::string_view name) const {
  const auto* value = member(name);
  if (value == nullptr) return std::nullopt;
  if (!value->IsBool()) throw error(name, "must be true or false");
  return value->GetBool();
}

std::optional<std::uint64_t> ConfigObject::integer(std::string_view name, std::uint64_t min, std::uint64_t max) const {
  const auto* value = member(name);
  if (value == nullptr) return std::nullopt;
  if (!value->IsUint64() || value->GetUint64() < min || value->GetUint64() > max) {
    throw error(name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value->GetUint64();
}

std::optional<std::string> ConfigObject::choice(std::string_view name,
                                                std::initializer_list<std::string_view> choices) const {
  const auto* value = member(name);
  if (value == nullptr) return std::nullopt;
  if (!value->IsString() || std::ranges::find(choices, text(*value)) == choices.end()) {
    throw error(name, "must be " + quotedList(choices));
  }
  return std::string(text(*value));
}

std::optional<std::string> ConfigObject::url(std::string_view name) const {
  auto value = string(name);
  if (value && !isHttpUrl(*value)) {
    throw error(name, "must be an http:// or https:// URL with a host, got \"" + *value + "\"");
  }
  return value;
}

std::optional<std::string> ConfigObject::secret(std::string_view name, sdk::Host& host) const {
  auto secret = secretText(name, host);
  if (secret && !isFieldValue(*secret)) {
    throw error(name, "secret \"" + std::string(text(*member(name))) +
                          "\" contains control characters, which a header cannot carry");
  }
  return secret;
}

std::optional<std::string> ConfigObject::secretText(std::string_view name, sdk::Host& host) const {
  const auto* value = member(name);
  if (value == nullptr) return std::nullopt;
  if (!value->IsString()) throw error(name, "must be a secret reference, \"env:NAME\" or \"file:/path\"");
  const std::string reference(text(*value));
  auto secret = host.resolveSecret(reference);
  if (!secret) throw error(name, secret.error().message);
  if (secret.value().empty()) throw error(name, "secret \"" + reference + "\" is empty");
  return std::move(secret.value());
}

std::optional<ConfigObject> ConfigObject::object(std::string_view name) const {
  const auto* value = member(name);
  if (value == nullptr) return std::nullopt;
  if (!value->IsObject()) throw error(name, "must be an object");
  return ConfigObject(document_, *value, sink_, prefix_ + std::string(name) + ".");
}

std::optional<std::string> ConfigObject::readableFile(std::string_view name) const {
  auto path = string(name);
  std::error_code ignored;
  if (path && (!std::filesystem::is_regular_file(*path, ignored) || !std::ifstream(*path))) {
    throw error(name, "cannot read file \"" + *path + "\"");
  }
  return path;
}

sdk::TlsOptions ConfigObject::tlsOptions() const {
  allowOnly({"ca_file", "cert_file", "key_file", "verify"});
  sdk::TlsOptions options;
  options.ca_file = readableFile("ca_file").value_or("");
  options.cert_file = readableFile("cert_file").value_or("");
  options.key_file = readableFile("key_file").value_or("");
  options.verify_peer = boolean("verify").value_or(true);
  if (options.cert_file.empty() != options.key_file.empty()) {
    throw error(options.cert_file.empty() ? "cert_file" : "key_file",
                "is required with \"" + std::string(options.cert_file.empty() ? "key_file" : "cert_file") +
                    "\" (a client certificate needs its key)");
  }
  return options;
}

sdk::HttpClientOptions ConfigObject::clientOptions() const {
  sdk::HttpClientOptions options;
  if (auto ms = integer("connect_timeout_ms", 1, 600000)) options.connect_timeout = std::chrono::milliseconds(*ms);
  if (auto ms = integer("timeout_ms", 1, 3600000)) options.read_timeout = std::chrono::milliseconds(*ms);
  if (auto count = integer("max_connections", 0, 1024)) options.max_idle_connections = *count;
  return options;
}

std::invalid_argument ConfigObject::error(std::string_view name, std::string_view why) const {
  return std::invalid_argument(sink_ + " sink config \"" + prefix_ + std::string(name) + "\": " + std::string(why));
}

std::invalid_argument ConfigObject::errorAbout(std::string_view what, std::string_view why) const {
  return std::invalid_argument(sink_ + " sink config " + std::string(what) + ": " + std::string(why));
}

bool isHttpUrl(std::string_view url) {
  std::string lower(url.substr(0, 8));
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::size_t host_start = lower.starts_with("https://") ? 8 : lower.starts_with("http://") ? 7 : 0;
  const bool has_host =
      host_start != 0 && host_start < url.size() && url.find_first_of("/?#", host_start) != host_start;
  return has_host && std::ranges::none_of(url, [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

bool isFieldValue(std::string_view value) {
  return std::ranges::none_of(value, [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; });
}

}  // namespace ccm::sinks::common
