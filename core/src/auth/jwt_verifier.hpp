#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "auth/jwk_set.hpp"

// Verification of OIDC bearer tokens: JWS compact serialization (RFC 7515)
// carrying JWT claims (RFC 7519), with the issuer's JWK Set. All functions are
// pure and thread-safe.
namespace ccm::core {

struct JwtExpectations {
  std::string issuer;    // "iss" must equal it exactly
  std::string audience;  // "aud" (a string, or an array of strings) must contain it
  std::chrono::seconds clock_skew{60};
};

struct VerifiedJwt {
  std::shared_ptr<const rapidjson::Document> claims;  // the payload object
  std::string subject;                                // "sub", "" when absent
  std::string username;                               // "preferred_username", "" when absent
};

struct JwtFailure {
  // A metric label: malformed, algorithm, unknown_key, signature, issuer,
  // audience, expired, not_yet_valid, issued_in_future.
  std::string reason;
  std::string description;  // one sentence for the client and the log
  std::string kid;          // for unknown_key: the kid the token names, so the caller may refetch the JWKS
};

// Whether `bearer` has the shape of a JWS compact serialization: three
// base64url segments joined by two dots, only the signature may be empty. Anything else is taken for
// an API key by the caller.
bool looksLikeJwt(std::string_view bearer);

// Verifies signature (RS256, RS384, RS512, PS256, ES256, ES384 with a key of
// `keys` that fits the alg), then issuer, audience and the times exp, nbf and
// iat against `now` within the clock skew. The key is the one the header's
// kid names, or without a kid the set's only key. Never throws; tokens over
// 16 KiB or with JSON nested deeper than 16 levels are malformed.
std::variant<VerifiedJwt, JwtFailure> verifyJwt(std::string_view token, const JwkSet& keys,
                                                const JwtExpectations& expect,
                                                std::chrono::system_clock::time_point now);

}  // namespace ccm::core
