#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/error.hpp"
#include "auth/auth_settings.hpp"
#include "auth/roles.hpp"
#include "auth/token_verifier.hpp"
#include "ccm/sdk/result.hpp"
#include "http/http_message.hpp"

namespace ccm::core {

// Who made a request, as the audit log names them.
struct Principal {
  std::string kind;     // "token", "api_key" or "certificate"
  std::string name;     // preferred_username (else sub), the key's name, or the certificate's subject
  std::string subject;  // a token's sub ("" otherwise)
  GrantedRoles roles;
  std::string roles_from;  // where the roles were read: the roles claim, or the config key
};

// A request not let in: Unauthenticated (no or bad credentials; `bearer_error`
// goes in WWW-Authenticate) or Unavailable (the issuer's keys are not known yet).
struct AuthRefusal {
  ErrorCategory category = ErrorCategory::Unauthenticated;
  std::string reason;  // labels ccm_api_auth_failures_total
  std::string detail;
  std::string bearer_error;  // "invalid_token", or "" when no credentials came
};

// Finds the principal of a management API request (docs/security.md):
// "Authorization: Bearer <jwt>" is an OIDC token; any other bearer value is
// an API key, known by its SHA-256; without Authorization, the verified TLS
// client certificate's subject. Immutable once made: a reload makes another.
class ApiAuthenticator {
public:
  // Resolves the API keys' hashes (secret references); the error names the
  // config pointer. `tokens` is null without server.auth.oidc.
  static sdk::Result<std::shared_ptr<const ApiAuthenticator>> create(const ApiAuthConfig& config,
                                                                     std::shared_ptr<const TokenVerifier> tokens);

  bool isPublic(std::string_view path) const;
  // May block: a token naming an unknown key fetches the issuer's keys.
  std::variant<Principal, AuthRefusal> authenticate(const HttpRequest& request) const;

private:
  struct ApiKey {
    std::string name;
    std::string sha256;  // raw 32 bytes
    GrantedRoles roles;
  };
  struct CertificateRoles {
    std::string subject;
    GrantedRoles roles;
  };

  std::variant<Principal, AuthRefusal> fromToken(std::string_view token) const;
  std::variant<Principal, AuthRefusal> fromApiKey(std::string_view key) const;
  GrantedRoles mappedTokenRoles(const std::vector<std::string>& names) const;

  std::shared_ptr<const TokenVerifier> tokens_;
  std::vector<ApiKey> api_keys_;
  std::vector<CertificateRoles> certificates_;
  std::map<std::string, Role> token_role_names_;  // the identity provider's name -> ours
  std::vector<std::string> public_paths_;
};

// Our role names ("viewer", ...) granted as such.
GrantedRoles grantedRoles(const std::vector<std::string>& names);

}  // namespace ccm::core
