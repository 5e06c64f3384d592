#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <rapidjson/document.h>

#include "domain/error.hpp"
#include "auth/auth_settings.hpp"
#include "auth/oidc_key_source.hpp"

namespace ccm::core {

// A bearer token that verified: who it names and the role names under the
// issuer's roles claim.
struct VerifiedToken {
  std::string subject;   // "sub"
  std::string username;  // "preferred_username", else "sub"
  std::vector<std::string> roles;
};

// Why a token was not accepted: 401 (the token) or 503 (the issuer's keys
// are not known yet). `reason` labels ccm_api_auth_failures_total.
struct TokenRefusal {
  ErrorCategory category = ErrorCategory::Unauthenticated;
  std::string reason;
  std::string detail;
};

// Verifies one issuer's tokens (auth/jwt_verifier.hpp) with its current
// keys; a token naming an unknown key fetches the keys again (rate-limited
// by the key source) and is verified once more. Thread-safe.
class TokenVerifier {
public:
  TokenVerifier(std::shared_ptr<OidcKeySource> keys, OidcSettings settings);

  // Wait: fetch the keys again in this call (a worker thread may block);
  // InBackground: only ask for it (an event loop must not).
  enum class Refetch { Wait, InBackground };
  std::variant<VerifiedToken, TokenRefusal> verify(std::string_view token, Refetch refetch) const;

  const OidcSettings& settings() const { return settings_; }
  const std::shared_ptr<OidcKeySource>& keySource() const { return keys_; }

private:
  std::shared_ptr<OidcKeySource> keys_;
  OidcSettings settings_;
};

// The role names at a dotted path ("realm_access.roles") of a token's
// claims: an array of strings (other items ignored) or one string; empty
// when the path leads nowhere.
std::vector<std::string> rolesAt(const rapidjson::Value& claims, std::string_view path);

}  // namespace ccm::core
