#include "support/jwt_signer.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>

namespace ccm::testing {
namespace {

struct SigningAlgorithm {
  std::string_view name;
  std::string_view curve;  // "" for RSA keys
  const EVP_MD* (*digest)();
  bool pss;
  std::size_t ec_size;  // ES*: bytes of r and of s
};

constexpr SigningAlgorithm kSigningAlgorithms[] = {
    {"RS256", "", EVP_sha256, false, 0},       {"RS384", "", EVP_sha384, false, 0},
    {"RS512", "", EVP_sha512, false, 0},       {"PS256", "", EVP_sha256, true, 0},
    {"ES256", "P-256", EVP_sha256, false, 32}, {"ES384", "P-384", EVP_sha384, false, 48},
};

[[noreturn]] void throwOpenSslError(const std::string& call) {
  const unsigned long code = ERR_peek_last_error();
  const char* reason = code == 0 ? nullptr : ERR_reason_error_string(code);
  ERR_clear_error();
  throw std::runtime_error(call + " failed: " + (reason != nullptr ? reason : "no reason given"));
}

const char* groupOf(const std::string& curve) {
  if (curve == "P-256") return "prime256v1";
  if (curve == "P-384") return "secp384r1";
  throw std::invalid_argument("TestSigningKey::ec: unsupported curve " + curve);
}

std::string bytesOf(const BIGNUM* number, int size) {
  std::string out(static_cast<std::size_t>(size), '\0');
  if (BN_bn2binpad(number, reinterpret_cast<unsigned char*>(out.data()), size) != size)
    throwOpenSslError("BN_bn2binpad");
  return out;
}

// A public-key number as base64url, `size` bytes long or minimal when 0.
std::string numberParameter(EVP_PKEY* key, const char* name, int size) {
  BIGNUM* number = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &number) != 1) throwOpenSslError(std::string("EVP_PKEY_get_bn_param ") + name);
  const std::unique_ptr<BIGNUM, decltype(&BN_free)> owned(number, BN_free);
  return base64Url(bytesOf(number, size != 0 ? size : BN_num_bytes(number)));
}

std::string digestSign(EVP_PKEY* key, const SigningAlgorithm& alg, std::string_view input) {
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* key_context = nullptr;
  if (!context || EVP_DigestSignInit(context.get(), &key_context, alg.digest(), nullptr, key) != 1)
    throwOpenSslError("EVP_DigestSignInit");
  if (alg.pss && (EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PSS_PADDING) != 1 ||
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(key_context, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                  EVP_PKEY_CTX_set_rsa_mgf1_md(key_context, alg.digest()) != 1))
    throwOpenSslError("PSS parameters");
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  std::size_t size = 0;
  if (EVP_DigestSign(context.get(), nullptr, &size, data, input.size()) != 1) throwOpenSslError("EVP_DigestSign");
  std::string signature(size, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, data, input.size()) != 1)
    throwOpenSslError("EVP_DigestSign");
  signature.resize(size);
  return signature;
}

// OpenSSL signs ECDSA in DER; JWS wants r||s (RFC 7518 3.4).
std::string rawFromDerEcdsa(const std::string& der, std::size_t half) {
  const auto* data = reinterpret_cast<const unsigned char*>(der.data());
  const std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> signature(
      d2i_ECDSA_SIG(nullptr, &data, static_cast<long>(der.size())), ECDSA_SIG_free);
  if (!signature) throwOpenSslError("d2i_ECDSA_SIG");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(signature.get(), &r, &s);
  return bytesOf(r, static_cast<int>(half)) + bytesOf(s, static_cast<int>(half));
}

std::string headerJson(const std::string& alg, const std::string* kid) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("alg");
  writer.String(alg.c_str(), static_cast<rapidjson::SizeType>(alg.size()));
  writer.Key("typ");
  writer.String("JWT");
  if (kid != nullptr) {
    writer.Key("kid");
    writer.String(kid->c_str(), static_cast<rapidjson::SizeType>(kid->size()));
  }
  writer.EndObject();
  return buffer.GetString();
}

}  // namespace

TestSigningKey TestSigningKey::rsa(std::string kid, int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned>(bits));
  if (key == nullptr) throwOpenSslError("EVP_RSA_gen");
  return TestSigningKey(std::move(kid), "", std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free));
}

TestSigningKey TestSigningKey::ec(std::string kid, const std::string& curve) {
  EVP_PKEY* key = EVP_EC_gen(groupOf(curve));
  if (key == nullptr) throwOpenSslError("EVP_EC_gen");
  return TestSigningKey(std::move(kid), curve, std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free));
}

std::string TestSigningKey::jwk() const {
  const std::string head = "{\"kid\":\"" + kid_ + "\",\"use\":\"sig\",";
  if (curve_.empty())
    return head + "\"kty\":\"RSA\",\"n\":\"" + numberParameter(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0) + "\",\"e\":\"" +
           numberParameter(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0) + "\"}";
  const int size = curve_ == "P-256" ? 32 : 48;
  return head + "\"kty\":\"EC\",\"crv\":\"" + curve_ + "\",\"x\":\"" +
         numberParameter(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, size) + "\",\"y\":\"" +
         numberParameter(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, size) + "\"}";
}

std::string TestSigningKey::sign(const std::string& payload_json, const std::string& alg, bool with_kid,
                                 const std::string& hmac_key) const {
  const std::string input = base64Url(headerJson(alg, with_kid ? &kid_ : nullptr)) + "." + base64Url(payload_json);
  if (alg == "none") return input + ".";
  if (alg == "HS256") {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    if (HMAC(EVP_sha256(), hmac_key.data(), static_cast<int>(hmac_key.size()),
             reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size) == nullptr)
      throwOpenSslError("HMAC");
    return input + "." + base64Url(std::string_view(reinterpret_cast<const char*>(mac), size));
  }
  for (const SigningAlgorithm& known : kSigningAlgorithms) {
    if (known.name != alg) continue;
    if (known.curve != curve_)
      throw std::invalid_argument("TestSigningKey::sign: " + alg + " needs " +
                                  (known.curve.empty() ? std::string("an RSA key") : std::string(known.curve)));
    std::string signature = digestSign(key_.get(), known, input);
    if (known.ec_size != 0) signature = rawFromDerEcdsa(signature, known.ec_size);
    return input + "." + base64Url(signature);
  }
  throw std::invalid_argument("TestSigningKey::sign: unsupported alg " + alg);
}

std::string TestSigningKey::publicKeyPem() const {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) throwOpenSslError("PEM_write_bio_PUBKEY");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string TestSigningKey::privateKeyPem() const {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throwOpenSslError("PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string jwksOf(const std::vector<const TestSigningKey*>& keys) {
  std::string out = "{\"keys\":[";
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i == 0 ? "" : ",") + keys[i]->jwk();
  return out + "]}";
}

std::string base64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t bits = 0;
  int pending = 0;
  for (const char c : bytes) {
    bits = bits << 8 | static_cast<unsigned char>(c);
    pending += 8;
    while (pending >= 6) {
      pending -= 6;
      out += kAlphabet[bits >> pending & 0x3F];
    }
  }
  if (pending > 0) out += kAlphabet[bits << (6 - pending) & 0x3F];
  return out;
}

}  // namespace ccm::testing
