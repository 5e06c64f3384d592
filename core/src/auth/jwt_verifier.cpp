#include "auth/jwt_verifier.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <set>

#include "ccm/sdk/codec.hpp"

namespace ccm::core {

namespace {

constexpr std::size_t kMaxTokenSize = 16 * 1024;
constexpr std::size_t kMaxJsonDepth = 16;
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

struct Algorithm {
  std::string_view name;
  std::string_view kty;
  std::string_view crv;  // ES*: the curve the key must be on
  const EVP_MD* (*digest)();
  bool pss;
  std::size_t ec_size;  // ES*: the bytes of r and of s in the signature
};

// RFC 7518 3.1 without "none" and HS*: a verifier holding public keys only
// must never accept them (the HS256-keyed-with-the-public-key attack).
constexpr Algorithm kAlgorithms[] = {
    {"RS256", "RSA", "", EVP_sha256, false, 0},      {"RS384", "RSA", "", EVP_sha384, false, 0},
    {"RS512", "RSA", "", EVP_sha512, false, 0},      {"PS256", "RSA", "", EVP_sha256, true, 0},
    {"ES256", "EC", "P-256", EVP_sha256, false, 32}, {"ES384", "EC", "P-384", EVP_sha384, false, 48},
};

template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* pointer) const { Free(pointer); }
};
using MdContext = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSignature = std::unique_ptr<ECDSA_SIG, Freer<ECDSA_SIG, ECDSA_SIG_free>>;

struct Header {
  const Algorithm* alg = nullptr;
  std::optional<std::string> kid;
};

JwtFailure failure(std::string reason, std::string description, std::string kid = {}) {
  return JwtFailure{std::move(reason), std::move(description), std::move(kid)};
}

JwtFailure malformed(std::string description) {
  return failure("malformed", std::move(description));
}

std::string_view textOf(const rapidjson::Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

const rapidjson::Value* memberOf(const rapidjson::Value& object, const char* name) {
  const auto member = object.FindMember(name);
  return member == object.MemberEnd() ? nullptr : &member->value;
}

// A token's string fit for a description: quoted, escaped, and cut short
// (not inside a UTF-8 sequence), since the token is anyone's input.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxShown = 100;
  std::size_t shown = std::min(text.size(), kMaxShown);
  while (shown > 0 && shown < text.size() && (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80) --shown;
  std::string out = "\"";
  for (const char c : text.substr(0, shown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7F) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(byte));
      out += escape;
    } else {
      out += c;
    }
  }
  if (shown < text.size()) out += "...";
  return out + '"';
}

bool isBase64UrlSymbol(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// An alg name as an operator expects to read it, quoted only when odd.
std::string algName(std::string_view alg) {
  const bool plain = !alg.empty() && alg.size() <= 16 && std::all_of(alg.begin(), alg.end(), isBase64UrlSymbol);
  return plain ? std::string(alg) : quoted(alg);
}

std::string keyName(const Jwk& key) {
  return key.kid.empty() ? "the JWKS's only key" : "key " + quoted(key.kid);
}

std::string utcTime(double seconds) {
  char text[48];
  // Years 1 to 9999; a date beyond them would not help the reader.
  if (!(seconds >= -62135596800.0 && seconds < 253402300800.0)) {
    std::snprintf(text, sizeof text, "%.0f s after 1970-01-01T00:00:00Z", seconds);
    return text;
  }
  using namespace std::chrono;
  const sys_seconds time{std::chrono::seconds{static_cast<std::int64_t>(std::floor(seconds))}};
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

// Parses a decoded header or payload into `document`: one JSON object, each
// member name once.
std::optional<JwtFailure> parseObject(const std::string& json, const std::string& part, rapidjson::Document& document) {
  // RapidJSON takes a NUL byte for the end of input and would ignore the rest.
  if (json.find('\0') != std::string::npos) return malformed("token " + part + " contains a NUL byte");
  // The DOM parser is iterative, but later walks over it need not be.
  if (sdk::jsonNestsDeeperThan(json, kMaxJsonDepth))
    return malformed("token " + part + " nests JSON deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  document.Parse<kParseFlags>(json.data(), json.size());
  if (document.HasParseError())
    return malformed("token " + part + " is not JSON: " + rapidjson::GetParseError_En(document.GetParseError()) +
                     " at byte " + std::to_string(document.GetErrorOffset()));
  if (!document.IsObject()) return malformed("token " + part + " is not a JSON object");
  // RFC 7515 4: duplicate names are rejected or the last one wins; parsers
  // disagree on which, so refuse the ambiguity.
  std::set<std::string_view> names;
  for (const auto& member : document.GetObject())
    if (!names.insert(textOf(member.name)).second)
      return malformed("token " + part + " has the member " + quoted(textOf(member.name)) + " twice");
  return std::nullopt;
}

std::variant<Header, JwtFailure> readHeader(const rapidjson::Document& json) {
  Header header;
  if (memberOf(json, "crit") != nullptr) return malformed("token header has \"crit\"; no JWS extension is supported");
  const auto* typ = memberOf(json, "typ");
  if (typ != nullptr && !typ->IsString()) return malformed("token header \"typ\" is not a string");
  const auto* kid = memberOf(json, "kid");
  if (kid != nullptr && !kid->IsString()) return malformed("token header \"kid\" is not a string");
  if (kid != nullptr) header.kid = std::string(textOf(*kid));
  // jku, jwk, x5u and x5c are ignored: keys come only from the configured
  // issuer's JWKS, never from the token (RFC 8725 3.10).
  const auto* alg = memberOf(json, "alg");
  if (alg == nullptr) return malformed("token header has no \"alg\"");
  if (!alg->IsString()) return malformed("token header \"alg\" is not a string");
  for (const Algorithm& known : kAlgorithms)
    if (known.name == textOf(*alg)) header.alg = &known;
  if (header.alg == nullptr) {
    std::string accepted;
    for (const Algorithm& known : kAlgorithms) accepted += (accepted.empty() ? "" : ", ") + std::string(known.name);
    return failure("algorithm", "token signed with alg " + algName(textOf(*alg)) + "; accepted: " + accepted);
  }
  return header;
}

std::variant<const Jwk*, JwtFailure> selectKey(const Header& header, const JwkSet& keys) {
  if (header.kid) {
    if (const Jwk* key = keys.find(*header.kid)) return key;
    return failure("unknown_key", "no key with kid " + quoted(*header.kid) + " in the issuer's JWKS", *header.kid);
  }
  if (keys.keys().size() == 1) return &keys.keys().front();
  return failure("unknown_key",
                 "token names no kid and the issuer's JWKS holds " + std::to_string(keys.keys().size()) + " keys");
}

std::optional<JwtFailure> checkKeyFits(const Algorithm& alg, const Jwk& key) {
  if (key.kty != alg.kty || key.crv != alg.crv) {
    const std::string needed = std::string(alg.kty) + (alg.crv.empty() ? "" : " " + std::string(alg.crv));
    const std::string held = key.kty + (key.crv.empty() ? "" : " " + key.crv);
    return failure("algorithm", "token alg " + std::string(alg.name) + " needs an " + needed + " key; " + keyName(key) +
                                    " is " + held);
  }
  // RFC 7517 4.4: a JWK that names its alg is for that alg only.
  if (!key.alg.empty() && key.alg != alg.name)
    return failure("algorithm", keyName(key) + " is for alg " + algName(key.alg) + "; token signed with alg " +
                                    std::string(alg.name));
  return std::nullopt;
}

// RFC 7518 3.4: a JWS carries r||s; OpenSSL verifies the DER
// ECDSA-Sig-Value of RFC 3279 2.2.3.
std::optional<std::string> derFromRawEcdsa(std::string_view raw) {
  const std::size_t half = raw.size() / 2;
  const auto* data = reinterpret_cast<const unsigned char*>(raw.data());
  const EcdsaSignature signature(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(data, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(data + half, static_cast<int>(half), nullptr);
  if (!signature || r == nullptr || s == nullptr || ECDSA_SIG_set0(signature.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int size = i2d_ECDSA_SIG(signature.get(), nullptr);
  if (size <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(signature.get(), &out) != size) return std::nullopt;
  return der;
}

bool signatureVerifies(const Algorithm& alg, EVP_PKEY* key, std::string_view signing_input,
                       std::string_view signature) {
  std::optional<std::string> der;
  if (alg.ec_size != 0) {
    der = derFromRawEcdsa(signature);
    if (!der) return false;
    signature = *der;
  }
  const MdContext context(EVP_MD_CTX_new());
  EVP_PKEY_CTX* key_context = nullptr;  // owned by `context`
  bool ok = context && EVP_DigestVerifyInit(context.get(), &key_context, alg.digest(), nullptr, key) == 1;
  // RFC 7518 3.5: MGF1 with the message digest, salt as long as the digest.
  if (ok && alg.pss)
    ok = EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(key_context, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(key_context, alg.digest()) == 1;
  ok = ok && EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                              reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
  // A failed verify leaves errors on this thread's queue, where a later TLS
  // call on the same thread would find them and fail.
  if (!ok) ERR_clear_error();
  return ok;
}

// A NumericDate claim (RFC 7519 2): absent, or a number of seconds.
std::optional<JwtFailure> readTime(const rapidjson::Value& claims, const char* name, std::optional<double>& out) {
  const auto* value = memberOf(claims, name);
  if (value == nullptr) return std::nullopt;
  if (!value->IsNumber()) return malformed("token claim \"" + std::string(name) + "\" is not a number");
  out = value->GetDouble();
  return std::nullopt;
}

std::optional<JwtFailure> checkIssuerAndAudience(const rapidjson::Value& claims, const JwtExpectations& expect) {
  const auto* iss = memberOf(claims, "iss");
  if (iss == nullptr) return failure("issuer", "token has no \"iss\"; expected " + quoted(expect.issuer));
  if (!iss->IsString()) return malformed("token claim \"iss\" is not a string");
  if (textOf(*iss) != expect.issuer)
    return failure("issuer", "token issuer " + quoted(textOf(*iss)) + " is not " + quoted(expect.issuer));

  const auto* aud = memberOf(claims, "aud");
  if (aud == nullptr) return failure("audience", "token has no \"aud\"; expected " + quoted(expect.audience));
  if (aud->IsString()) {
    if (textOf(*aud) == expect.audience) return std::nullopt;
    return failure("audience",
                   "token audience " + quoted(textOf(*aud)) + " does not include " + quoted(expect.audience));
  }
  if (!aud->IsArray()) return malformed("token claim \"aud\" is neither a string nor an array");
  constexpr rapidjson::SizeType kMaxShown = 8;
  std::string shown;
  for (rapidjson::SizeType i = 0; i < aud->Size(); ++i) {
    const auto& entry = (*aud)[i];
    if (!entry.IsString()) return malformed("token claim \"aud\" holds a member that is not a string");
    if (textOf(entry) == expect.audience) return std::nullopt;
    if (i < kMaxShown) shown += (i == 0 ? "" : ", ") + quoted(textOf(entry));
    if (i == kMaxShown) shown += ", ...";
  }
  return failure("audience", "token audience [" + shown + "] does not include " + quoted(expect.audience));
}

std::optional<JwtFailure> checkTimes(const rapidjson::Value& claims, const JwtExpectations& expect,
                                     std::chrono::system_clock::time_point now) {
  std::optional<double> exp, nbf, iat;
  if (auto failed = readTime(claims, "exp", exp)) return failed;
  if (auto failed = readTime(claims, "nbf", nbf)) return failed;
  if (auto failed = readTime(claims, "iat", iat)) return failed;
  if (!exp) return malformed("token has no \"exp\" claim");
  const double seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  const auto skew = static_cast<double>(expect.clock_skew.count());
  const std::string skew_note = " (clock skew " + std::to_string(expect.clock_skew.count()) + " s)";
  if (!(seconds < *exp + skew)) return failure("expired", "token expired at " + utcTime(*exp) + skew_note);
  if (nbf && !(seconds >= *nbf - skew))
    return failure("not_yet_valid", "token not valid before " + utcTime(*nbf) + skew_note);
  if (iat && !(*iat <= seconds + skew))
    return failure("issued_in_future", "token issued in the future, at " + utcTime(*iat) + skew_note);
  return std::nullopt;
}

// An optional string claim copied into `out`.
std::optional<JwtFailure> readClaimText(const rapidjson::Value& claims, const char* name, std::string& out) {
  const auto* value = memberOf(claims, name);
  if (value == nullptr) return std::nullopt;
  if (!value->IsString()) return malformed("token claim \"" + std::string(name) + "\" is not a string");
  out = textOf(*value);
  return std::nullopt;
}

}  // namespace

bool looksLikeJwt(std::string_view bearer) {
  int dots = 0;
  bool segment_empty = true;
  for (const char c : bearer) {
    if (c == '.') {
      if (segment_empty || ++dots > 2) return false;
      segment_empty = true;
    } else if (isBase64UrlSymbol(c)) {
      segment_empty = false;
    } else {
      return false;
    }
  }
  // An empty signature is an unsecured JWT (alg "none", RFC 7519 6.1): still a token, to be refused as one.
  return dots == 2;
}

std::variant<VerifiedJwt, JwtFailure> verifyJwt(std::string_view token, const JwkSet& keys,
                                                const JwtExpectations& expect,
                                                std::chrono::system_clock::time_point now) {
  if (token.size() > kMaxTokenSize)
    return malformed("token is " + std::to_string(token.size()) + " bytes; at most " + std::to_string(kMaxTokenSize) +
                     " accepted");
  const auto first_dot = token.find('.');
  const auto second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos)
    return malformed("token has " + std::to_string(std::count(token.begin(), token.end(), '.') + 1) +
                     " segments; a signed JWT has 3 (header.payload.signature)");
  const std::string_view signing_input = token.substr(0, second_dot);
  const auto header_json = decodeBase64Url(token.substr(0, first_dot));
  const auto payload_json = decodeBase64Url(token.substr(first_dot + 1, second_dot - first_dot - 1));
  const auto signature = decodeBase64Url(token.substr(second_dot + 1));
  if (!header_json) return malformed("token header is not base64url");
  if (!payload_json) return malformed("token payload is not base64url");
  if (!signature) return malformed("token signature is not base64url");

  rapidjson::Document header_document;
  if (auto failed = parseObject(*header_json, "header", header_document)) return *failed;
  auto header = readHeader(header_document);
  if (auto* failed = std::get_if<JwtFailure>(&header)) return std::move(*failed);
  const Algorithm& alg = *std::get<Header>(header).alg;
  auto selected = selectKey(std::get<Header>(header), keys);
  if (auto* failed = std::get_if<JwtFailure>(&selected)) return std::move(*failed);
  const Jwk& key = *std::get<const Jwk*>(selected);
  if (auto failed = checkKeyFits(alg, key)) return *failed;
  if (alg.ec_size != 0 && signature->size() != 2 * alg.ec_size)
    return failure("signature", "token signature is " + std::to_string(signature->size()) + " bytes; " +
                                    std::string(alg.name) + " needs " + std::to_string(2 * alg.ec_size));
  if (!signatureVerifies(alg, key.key.get(), signing_input, *signature))
    return failure("signature", "token signature does not verify with " + keyName(key));

  // The payload is read only once the issuer is known to have signed it.
  auto claims = std::make_shared<rapidjson::Document>();
  if (auto failed = parseObject(*payload_json, "payload", *claims)) return *failed;
  if (auto failed = checkIssuerAndAudience(*claims, expect)) return *failed;
  if (auto failed = checkTimes(*claims, expect, now)) return *failed;
  VerifiedJwt verified;
  if (auto failed = readClaimText(*claims, "sub", verified.subject)) return *failed;
  if (auto failed = readClaimText(*claims, "preferred_username", verified.username)) return *failed;
  verified.claims = std::move(claims);
  return verified;
}

}  // namespace ccm::core
