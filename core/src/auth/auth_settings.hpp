#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

// What server.auth and a source's "auth": {"jwt": ...} configure
// (docs/security.md), as the config loader validated it.
namespace ccm::core {

// An OIDC issuer whose tokens are accepted, and how they are read.
struct OidcSettings {
  std::string issuer;    // https://, or http:// on a loopback address
  std::string audience;  // "aud" must contain it
  std::string roles_claim = "realm_access.roles";  // dotted path to an array of role names
  int jwks_refresh_seconds = 3600;
  int clock_skew_seconds = 60;
};

struct ApiKeyConfig {
  std::string name;
  std::string key_sha256;  // 64 hex digits, or a secret reference (env:NAME, file:/path) to them
  std::vector<std::string> roles;  // ours: viewer, operator, admin
  std::string pointer;             // "/server/auth/api_keys/0"
};

struct ClientCertificateRoles {
  std::string subject;  // RFC 2253, as the TLS layer reports it: "CN=ci,O=Labs"
  std::vector<std::string> roles;
};

struct ApiAuthConfig {
  std::optional<OidcSettings> oidc;
  std::vector<ApiKeyConfig> api_keys;
  // Our role -> the name the identity provider puts in tokens.
  std::map<std::string, std::string> role_names;
  // GET /api/v1/openapi.json too: clients fetch it to generate code (api/openapi_route.hpp).
  std::vector<std::string> public_paths{"/healthz", "/readyz", "/api/v1/openapi.json"};
  std::vector<ClientCertificateRoles> client_certificates;
};

// A source that accepts OIDC tokens: the issuer's token must hold `required_role`
// (the identity provider's name for it) under oidc.roles_claim.
struct IngressJwtConfig {
  OidcSettings oidc;
  std::string required_role;
};

}  // namespace ccm::core
