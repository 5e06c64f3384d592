#include "auth/jwk_set.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <array>
#include <cstdint>

#include "ccm/sdk/codec.hpp"

namespace ccm::core {

namespace {

constexpr std::size_t kMaxJsonDepth = 16;
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
constexpr int kMinRsaBits = 2048;
// OPENSSL_RSA_MAX_MODULUS_BITS: OpenSSL would refuse to verify with a larger key.
constexpr int kMaxRsaBits = 16384;

template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* pointer) const { Free(pointer); }
};
using BigNum = std::unique_ptr<BIGNUM, Freer<BIGNUM, BN_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Freer<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Freer<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyContext = std::unique_ptr<EVP_PKEY_CTX, Freer<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;

struct Curve {
  std::string_view jwk_name;
  const char* group;
  std::size_t coordinate_size;
};
constexpr Curve kCurves[] = {{"P-256", "prime256v1", 32}, {"P-384", "secp384r1", 48}};

constexpr std::array<int, 256> makeBase64UrlTable() {
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<int, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  return table;
}
constexpr std::array<int, 256> kBase64UrlTable = makeBase64UrlTable();

const unsigned char* bytes(const std::string& text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

sdk::Error keyError(std::size_t index, std::string_view member, const std::string& what) {
  std::string where = "keys[" + std::to_string(index) + "]";
  if (!member.empty()) where += "." + std::string(member);
  return sdk::Error{where, where + ": " + what};
}

// OpenSSL's reason for its last failure. Clears the thread's error queue so
// that a later, unrelated TLS call on this thread does not report it.
std::string takeOpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  const char* reason = code == 0 ? nullptr : ERR_reason_error_string(code);
  ERR_clear_error();
  return reason != nullptr ? reason : "no reason given by OpenSSL";
}

enum class Presence { Optional, Required };

// Copies a string member into `out`, which stays "" when an optional member is absent.
std::optional<sdk::Error> readString(const rapidjson::Value& key, std::size_t index, const char* name,
                                     Presence presence, std::string& out) {
  const auto member = key.FindMember(name);
  if (member == key.MemberEnd()) {
    if (presence == Presence::Required) return keyError(index, name, "missing");
    return std::nullopt;
  }
  if (!member->value.IsString()) return keyError(index, name, "not a string");
  out.assign(member->value.GetString(), member->value.GetStringLength());
  return std::nullopt;
}

// A required, non-empty base64url member, decoded.
std::optional<sdk::Error> readBytes(const rapidjson::Value& key, std::size_t index, const char* name,
                                    std::string& out) {
  std::string text;
  if (auto error = readString(key, index, name, Presence::Required, text)) return error;
  if (text.empty()) return keyError(index, name, "empty");
  auto decoded = decodeBase64Url(text);
  if (!decoded) return keyError(index, name, "not base64url");
  out = std::move(*decoded);
  return std::nullopt;
}

sdk::Result<std::shared_ptr<EVP_PKEY>> publicKeyFrom(const char* type, const ParamBuilder& builder, std::size_t index) {
  const auto invalid = [&] {
    return keyError(index, "", std::string("not a valid ") + type + " public key (" + takeOpenSslError() + ")");
  };
  const Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  const PkeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return invalid();
  std::shared_ptr<EVP_PKEY> key(raw, EVP_PKEY_free);
  // fromdata takes the numbers as given; the check refuses an EC point off the
  // curve and an RSA modulus or exponent that cannot be one (SP 800-56B 6.4.2).
  const PkeyContext check(EVP_PKEY_CTX_new_from_pkey(nullptr, raw, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return invalid();
  return key;
}

sdk::Result<std::shared_ptr<EVP_PKEY>> rsaKey(const rapidjson::Value& value, std::size_t index) {
  std::string n, e;
  if (auto error = readBytes(value, index, "n", n)) return *error;
  if (auto error = readBytes(value, index, "e", e)) return *error;
  // Bounds the int casts below; a leading zero byte is tolerated (RFC 7518 6.3.1.1 notes some libraries add one).
  if (n.size() > kMaxRsaBits / 8 + 1 || e.size() > kMaxRsaBits / 8)
    return keyError(index, n.size() > kMaxRsaBits / 8 + 1 ? "n" : "e",
                    "longer than " + std::to_string(kMaxRsaBits) + " bits");
  const BigNum modulus(BN_bin2bn(bytes(n), static_cast<int>(n.size()), nullptr));
  const BigNum exponent(BN_bin2bn(bytes(e), static_cast<int>(e.size()), nullptr));
  if (!modulus || !exponent) return keyError(index, "", "OpenSSL cannot read the key: " + takeOpenSslError());
  const int bits = BN_num_bits(modulus.get());
  if (bits < kMinRsaBits)
    return keyError(
        index, "n",
        "RSA modulus of " + std::to_string(bits) + " bits; at least " + std::to_string(kMinRsaBits) + " required");
  if (bits > kMaxRsaBits) return keyError(index, "n", "longer than " + std::to_string(kMaxRsaBits) + " bits");
  const ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1)
    return keyError(index, "", "OpenSSL cannot read the key: " + takeOpenSslError());
  return publicKeyFrom("RSA", builder, index);
}

sdk::Result<std::shared_ptr<EVP_PKEY>> ecKey(const rapidjson::Value& value, std::size_t index, const Curve& curve) {
  std::string x, y;
  if (auto error = readBytes(value, index, "x", x)) return *error;
  if (auto error = readBytes(value, index, "y", y)) return *error;
  // RFC 7518 6.2.1.2: each coordinate is the full size of the field, leading zeros kept.
  const std::string expected = std::to_string(curve.coordinate_size) + " bytes for " + std::string(curve.jwk_name);
  if (x.size() != curve.coordinate_size)
    return keyError(index, "x", std::to_string(x.size()) + " bytes; expected " + expected);
  if (y.size() != curve.coordinate_size)
    return keyError(index, "y", std::to_string(y.size()) + " bytes; expected " + expected);
  const std::string point = '\x04' + x + y;  // SEC 1 2.3.3 uncompressed point
  const ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder || OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    return keyError(index, "", "OpenSSL cannot read the key: " + takeOpenSslError());
  return publicKeyFrom("EC", builder, index);
}

// The key at keys[index]; no value when it is one we skip.
sdk::Result<std::optional<Jwk>> readKey(const rapidjson::Value& value, std::size_t index) {
  using Skipped = std::optional<Jwk>;
  if (!value.IsObject()) return keyError(index, "", "not a JSON object");
  Jwk jwk;
  std::string use;
  if (auto error = readString(value, index, "kty", Presence::Required, jwk.kty)) return *error;
  if (auto error = readString(value, index, "use", Presence::Optional, use)) return *error;
  // Keycloak publishes its RSA-OAEP encryption key beside the signature keys.
  if (use == "enc") return Skipped{};
  if (jwk.kty != "RSA" && jwk.kty != "EC") return Skipped{};
  const Curve* curve = nullptr;
  if (jwk.kty == "EC") {
    if (auto error = readString(value, index, "crv", Presence::Required, jwk.crv)) return *error;
    for (const Curve& known : kCurves)
      if (known.jwk_name == jwk.crv) curve = &known;
    if (curve == nullptr) return Skipped{};
  }
  if (auto error = readString(value, index, "kid", Presence::Optional, jwk.kid)) return *error;
  if (auto error = readString(value, index, "alg", Presence::Optional, jwk.alg)) return *error;
  auto key = curve == nullptr ? rsaKey(value, index) : ecKey(value, index, *curve);
  if (!key) return key.error();
  jwk.key = std::move(key.value());
  return Skipped(std::move(jwk));
}

}  // namespace

std::optional<std::string> decodeBase64Url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;  // 6 bits cannot end a byte
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t bits = 0;
  int pending = 0;
  for (const char c : text) {
    const int value = kBase64UrlTable[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    bits = bits << 6 | static_cast<std::uint32_t>(value);
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out += static_cast<char>(bits >> pending & 0xFF);
    }
  }
  if ((bits & ((1u << pending) - 1)) != 0) return std::nullopt;
  return out;
}

sdk::Result<JwkSet> JwkSet::parse(std::string_view json) {
  // RapidJSON takes a NUL byte for the end of input and would ignore the rest.
  if (json.find('\0') != std::string_view::npos) return sdk::Error{"", "the JWKS contains a NUL byte"};
  if (sdk::jsonNestsDeeperThan(json, kMaxJsonDepth))
    return sdk::Error{"", "the JWKS nests deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
  rapidjson::Document document;
  document.Parse<kParseFlags>(json.data(), json.size());
  if (document.HasParseError())
    return sdk::Error{"", "the JWKS is not well-formed JSON at byte " + std::to_string(document.GetErrorOffset()) +
                              ": " + rapidjson::GetParseError_En(document.GetParseError())};
  if (!document.IsObject()) return sdk::Error{"", "the JWKS is not a JSON object"};
  const auto keys = document.FindMember("keys");
  if (keys == document.MemberEnd()) return sdk::Error{"keys", "keys: missing"};
  if (!keys->value.IsArray()) return sdk::Error{"keys", "keys: not an array"};
  std::vector<Jwk> parsed;
  std::vector<sdk::Error> refused;
  for (rapidjson::SizeType i = 0; i < keys->value.Size(); ++i) {
    auto key = readKey(keys->value[i], i);
    if (!key) {
      refused.push_back(key.error());
    } else if (key.value()) {
      parsed.push_back(std::move(*key.value()));
    }
  }
  return JwkSet(std::move(parsed), std::move(refused));
}

const Jwk* JwkSet::find(std::string_view kid) const {
  for (const Jwk& key : keys_)
    if (key.kid == kid) return &key;
  return nullptr;
}

}  // namespace ccm::core
