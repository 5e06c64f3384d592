#include "config/auth_config_reader.hpp"

#include <set>

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "http/host_address.hpp"

namespace ccm::core {
namespace {

std::string stringOr(const rapidjson::Value& object, const char* name, std::string fallback) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : fallback;
}

std::vector<std::string> strings(const rapidjson::Value& object, const char* name) {
  std::vector<std::string> out;
  if (auto it = object.FindMember(name); it != object.MemberEnd()) {
    for (const auto& item : it->value.GetArray()) out.emplace_back(item.GetString());
  }
  return out;
}

}  // namespace

std::optional<sdk::Error> readOidc(const rapidjson::Value& value, const std::string& pointer, OidcSettings& out) {
  out.issuer = stringOr(value, "issuer", "");
  out.audience = stringOr(value, "audience", "");
  out.roles_claim = stringOr(value, "roles_claim", out.roles_claim);
  if (auto it = value.FindMember("jwks_refresh_seconds"); it != value.MemberEnd()) out.jwks_refresh_seconds = it->value.GetInt();
  if (auto it = value.FindMember("clock_skew_seconds"); it != value.MemberEnd()) out.clock_skew_seconds = it->value.GetInt();
  const std::string at = pointer + "/issuer";
  try {
    const Poco::URI uri(out.issuer);
    if (uri.getHost().empty()) return sdk::Error{at, at + ": \"" + out.issuer + "\" names no host"};
    if (uri.getScheme() == "http" && !isLoopbackHost(uri.getHost())) {
      return sdk::Error{at, at + ": \"" + out.issuer + "\" must use https:// (http:// only on a loopback address)"};
    }
    if (!uri.getQuery().empty() || !uri.getFragment().empty()) {
      return sdk::Error{at, at + ": \"" + out.issuer + "\" must not have a query or fragment (OpenID Connect Discovery 3)"};
    }
  } catch (const Poco::Exception& e) {
    return sdk::Error{at, at + ": \"" + out.issuer + "\" is not a URL: " + e.message()};
  }
  return std::nullopt;
}

std::optional<sdk::Error> readApiAuth(const rapidjson::Value& value, ApiAuthConfig& out) {
  if (auto oidc = value.FindMember("oidc"); oidc != value.MemberEnd()) {
    if (oidc->value.HasMember("required_role")) {
      return sdk::Error{"/server/auth/oidc/required_role",
                        "/server/auth/oidc/required_role: only a source's \"jwt\" takes required_role; the API "
                        "maps roles with /server/auth/role_names"};
    }
    out.oidc.emplace();
    if (auto error = readOidc(oidc->value, "/server/auth/oidc", *out.oidc)) return error;
  }
  std::set<std::string> names;
  if (auto keys = value.FindMember("api_keys"); keys != value.MemberEnd()) {
    for (const auto& key : keys->value.GetArray()) {
      const std::string pointer = "/server/auth/api_keys/" + std::to_string(out.api_keys.size());
      out.api_keys.push_back({key["name"].GetString(), key["key_sha256"].GetString(), strings(key, "roles"), pointer});
      if (!names.insert(out.api_keys.back().name).second) {
        return sdk::Error{pointer + "/name", pointer + "/name: duplicate API key name \"" + out.api_keys.back().name +
                                                 "\" (names must be unique: the audit log names keys by them)"};
      }
    }
  }
  if (auto role_names = value.FindMember("role_names"); role_names != value.MemberEnd()) {
    std::set<std::string> given;
    for (const auto& member : role_names->value.GetObject()) {
      out.role_names[member.name.GetString()] = member.value.GetString();
      if (!given.insert(member.value.GetString()).second) {
        const std::string at = std::string("/server/auth/role_names/") + member.name.GetString();
        return sdk::Error{at, at + ": \"" + member.value.GetString() + "\" names another role too (each role needs "
                                                                       "its own name)"};
      }
    }
  }
  if (value.HasMember("public_paths")) out.public_paths = strings(value, "public_paths");
  if (auto certificates = value.FindMember("client_certificates"); certificates != value.MemberEnd()) {
    for (const auto& certificate : certificates->value.GetArray()) {
      out.client_certificates.push_back({certificate["subject"].GetString(), strings(certificate, "roles")});
    }
  }
  if (!out.oidc && out.api_keys.empty() && out.client_certificates.empty()) {
    return sdk::Error{"/server/auth", "/server/auth: set at least one of \"oidc\", \"api_keys\" or "
                                      "\"client_certificates\" (otherwise no caller could be let in)"};
  }
  return std::nullopt;
}

}  // namespace ccm::core
