#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ccm::testing {

// A key pair made with OpenSSL that signs JWTs the way an OIDC issuer does,
// for tests of the verifier. Throws std::runtime_error when OpenSSL fails and
// std::invalid_argument for an alg the key cannot make.
class TestSigningKey {
public:
  static TestSigningKey rsa(std::string kid, int bits = 2048);
  static TestSigningKey ec(std::string kid, const std::string& curve /* "P-256" | "P-384" */);

  const std::string& kid() const { return kid_; }
  // The public JWK as JSON text: kty, kid, use "sig", n/e or crv/x/y (no alg).
  std::string jwk() const;
  // Compact JWS of `payload_json` under {"alg":alg,"typ":"JWT","kid":kid}
  // (no kid when `with_kid` is false). RS256/384/512, PS256 and ES256/384 sign
  // for real; "none" gives an empty signature; "HS256" is HMAC-SHA256 keyed
  // with `hmac_key`.
  std::string sign(const std::string& payload_json, const std::string& alg, bool with_kid = true,
                   const std::string& hmac_key = "") const;
  // SubjectPublicKeyInfo PEM, the secret of the "HS256 keyed with the public key" attack.
  std::string publicKeyPem() const;
  // The private key as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"), as Google's key files hold it.
  std::string privateKeyPem() const;

private:
  TestSigningKey(std::string kid, std::string curve, std::shared_ptr<EVP_PKEY> key)
      : kid_(std::move(kid)), curve_(std::move(curve)), key_(std::move(key)) {}

  std::string kid_;
  std::string curve_;  // "" for RSA
  std::shared_ptr<EVP_PKEY> key_;
};

// {"keys":[...]} of the keys' public JWKs.
std::string jwksOf(const std::vector<const TestSigningKey*>& keys);
// RFC 7515 section 2: base64url without padding.
std::string base64Url(std::string_view bytes);

}  // namespace ccm::testing
