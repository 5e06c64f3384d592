#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ccm/sdk/host.hpp"

namespace ccm::sinks::common {

// One sink instance's "config" object, or an object inside it, read strictly.
// Every error is a std::invalid_argument "<sink> sink config \"<key>\": <why>"
// naming the key from the top ("auth.key"). Getters return nullopt for an
// absent member and throw when it is present but unusable. Secret values never
// appear in a message.
class ConfigObject {
public:
  // Parses the instance's config text (empty text counts as {}).
  ConfigObject(std::string sink, const std::string& config_json);

  // Throws naming the first member not in `known`.
  void allowOnly(std::initializer_list<std::string_view> known) const;
  bool has(std::string_view name) const;
  // The names of the members, in their order in the file.
  std::vector<std::string> names() const;

  std::optional<std::string> string(std::string_view name) const;  // non-empty
  std::optional<bool> boolean(std::string_view name) const;
  std::optional<std::uint64_t> integer(std::string_view name, std::uint64_t min, std::uint64_t max) const;
  // A string that must be one of `choices`.
  std::optional<std::string> choice(std::string_view name, std::initializer_list<std::string_view> choices) const;
  // An http:// or https:// URL with a host (see isHttpUrl).
  std::optional<std::string> url(std::string_view name) const;
  // A secret reference, "env:NAME" or "file:/path", resolved through the host;
  // empty values and values a header cannot carry are refused.
  std::optional<std::string> secret(std::string_view name, sdk::Host& host) const;
  // A secret reference resolved as secret() does, for a value that never goes
  // into a header, such as a key file: it may span lines.
  std::optional<std::string> secretText(std::string_view name, sdk::Host& host) const;
  std::optional<ConfigObject> object(std::string_view name) const;
  // The path of a file this process can read now.
  std::optional<std::string> readableFile(std::string_view name) const;

  // connect_timeout_ms, timeout_ms and max_connections, with the http sink's
  // ranges and defaults (docs/sinks/http.md); no TLS settings.
  sdk::HttpClientOptions clientOptions() const;

  // This object as TLS settings: ca_file, cert_file and key_file (readable
  // files; a certificate needs its key) and verify (default true), nothing
  // else (the mqtt and nats sinks' "tls").
  sdk::TlsOptions tlsOptions() const;

  // The error for member `name` of this object.
  std::invalid_argument error(std::string_view name, std::string_view why) const;
  // The error for a setting from outside the config, such as an environment
  // variable: "<sink> sink config <what>: <why>".
  std::invalid_argument errorAbout(std::string_view what, std::string_view why) const;

private:
  ConfigObject(std::shared_ptr<const rapidjson::Document> document, const rapidjson::Value& value, std::string sink,
               std::string prefix);
  const rapidjson::Value* member(std::string_view name) const;

  std::shared_ptr<const rapidjson::Document> document_;  // keeps value_ alive
  const rapidjson::Value* value_;
  std::string sink_;
  std::string prefix_;  // "auth." for the members of "auth"
};

// An http:// or https:// URL with a host and no whitespace or control characters.
bool isHttpUrl(std::string_view url);

// RFC 9110 section 5.5: a header value has no control characters but tab, so
// a CR or LF cannot inject headers.
bool isFieldValue(std::string_view value);

}  // namespace ccm::sinks::common
