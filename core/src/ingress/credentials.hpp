#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.hpp"
#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/result.hpp"
#include "auth/digests.hpp"
#include "auth/token_verifier.hpp"
#include "config/gateway_config.hpp"

// Per-source credentials of inbound events (docs/ingress.md). Pure apart from
// secret resolution; thread-safe.
namespace ccm::core {

// Resolved credentials: the secret itself, not its reference.
struct Credentials {
  enum class Kind { Bearer, Hmac, Jwt } kind = Kind::Bearer;
  std::string secret;
  std::string header;  // Hmac: the header that carries the signature
  std::shared_ptr<const TokenVerifier> tokens;  // Jwt: the issuer's verifier
  std::string required_role;                    // Jwt: as the issuer names it
};

// The verifier of an issuer's tokens (one key source per issuer, shared).
using TokenVerifierFor = std::function<std::shared_ptr<const TokenVerifier>(const OidcSettings& settings)>;

// Resolves the config's secret references ("env:NAME", "file:/path"), or
// the jwt issuer's verifier through `verifier_for`; the error names the
// config pointer and the reference.
sdk::Result<Credentials> resolveCredentials(const IngressAuthConfig& config, const TokenVerifierFor& verifier_for);

// Why a request's credentials were refused.
struct CredentialFailure {
  ErrorCategory category;  // Unauthenticated: missing or unreadable; Forbidden: present but wrong
  std::string header;   // the header at fault
  std::string detail;
};

// Bearer: "Authorization: Bearer <token>". Jwt: the same with an OIDC token
// holding the required role (a token naming an unknown key is refused, and
// the keys fetched again in the background, as this runs on an event loop). Hmac: the lower- or upper-case hex
// HMAC-SHA256 of the raw body, optionally prefixed "sha256=", in the header.
// Comparisons take the same time wherever the first difference is.
std::optional<CredentialFailure> checkCredentials(const Credentials& credentials, const sdk::Headers& headers,
                                                  std::string_view body);


}  // namespace ccm::core
