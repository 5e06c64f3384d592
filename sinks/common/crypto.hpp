#pragma once

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

// The few primitives request signing needs (Event Grid SAS tokens, AWS
// Signature Version 4, Google service-account JWTs), over OpenSSL. Pure and
// thread-safe.
namespace ccm::sinks::common {

// RFC 2104 HMAC with SHA-256: the 32 raw bytes.
std::string hmacSha256(std::string_view key, std::string_view data);
// SHA-256 of `data` as 64 lower-case hex digits.
std::string sha256Hex(std::string_view data);
// Lower-case hex of raw bytes.
std::string hex(std::string_view raw);
// RFC 4648 section 4 (standard alphabet, padded).
std::string base64Encode(std::string_view raw);
// nullopt unless `text` is padded standard base64 without whitespace.
std::optional<std::string> base64Decode(std::string_view text);
// RFC 7515 section 2 base64url: the URL-safe alphabet without padding.
std::string base64UrlEncode(std::string_view raw);

// An RSA private key, immutable once read; signing with it is thread-safe.
class RsaPrivateKey {
public:
  // A PEM private key ("BEGIN PRIVATE KEY" as Google's key files hold it, or
  // "BEGIN RSA PRIVATE KEY"); nullopt when it is not an RSA private key.
  static std::optional<RsaPrivateKey> fromPem(std::string_view pem);

  // RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256", RFC 7518 section 3.3): the raw signature.
  std::string signSha256(std::string_view data) const;

private:
  explicit RsaPrivateKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace ccm::sinks::common
