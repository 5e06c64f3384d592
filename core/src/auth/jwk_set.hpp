#pragma once

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ccm/sdk/result.hpp"

namespace ccm::core {

// One public signature key from a JWK Set (RFC 7517).
struct Jwk {
  std::string kid;                // may be empty
  std::string kty;                // "RSA" or "EC"
  std::string crv;                // EC: "P-256" or "P-384"
  std::string alg;                // optional "alg" member of the JWK ("" when absent)
  std::shared_ptr<EVP_PKEY> key;  // public key, freed with EVP_PKEY_free
};

// The signature keys an OIDC issuer publishes at its jwks_uri. Immutable once
// parsed, so one set may be shared by any number of verifying threads.
class JwkSet {
public:
  JwkSet() = default;  // no keys: every token is then unknown_key

  // Parses {"keys":[...]}: RSA keys from n/e (at least 2048 bits), EC keys
  // from crv/x/y (P-256, P-384). Keys with "use":"enc" and key types or curves
  // we do not verify with ("oct", "OKP", P-521) are skipped. A key that
  // cannot be used (malformed, too small, not on its curve) is left out and
  // listed in refused(), naming the key and member ("keys[1].n: not
  // base64url"): one bad key must not take the issuer's other keys with it.
  // An error is for a document that is not a JWK Set at all.
  static sdk::Result<JwkSet> parse(std::string_view json);

  const std::vector<sdk::Error>& refused() const { return refused_; }

  // The first key with this kid, or nullptr.
  const Jwk* find(std::string_view kid) const;
  const std::vector<Jwk>& keys() const { return keys_; }

private:
  JwkSet(std::vector<Jwk> keys, std::vector<sdk::Error> refused)
      : keys_(std::move(keys)), refused_(std::move(refused)) {}

  std::vector<Jwk> keys_;
  std::vector<sdk::Error> refused_;
};

// RFC 7515 section 2 base64url: no padding, no whitespace, and the unused
// bits of the last symbol zero, so each byte string has one accepted text.
std::optional<std::string> decodeBase64Url(std::string_view text);

}  // namespace ccm::core
