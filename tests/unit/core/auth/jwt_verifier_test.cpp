#include "auth/jwt_verifier.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>

#include "support/jwt_signer.hpp"

namespace ccm::core {
namespace {

using ccm::testing::base64Url;
using ccm::testing::jwksOf;
using ccm::testing::TestSigningKey;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

const std::string kIssuer = "https://idp.example/realms/ccm";
const std::string kAccepted = "accepted: RS256, RS384, RS512, PS256, ES256, ES384";
// 2026-12-03T06:00:00Z
const std::chrono::system_clock::time_point kNow = std::chrono::sys_days{std::chrono::year{2026} / 12 / 3} + 6h;
const std::int64_t kNowSeconds = std::chrono::duration_cast<std::chrono::seconds>(kNow.time_since_epoch()).count();

std::string at(std::chrono::seconds offset) {
  return std::to_string(kNowSeconds + offset.count());
}

// Claim values as raw JSON, so a test can give any of them any type; "" leaves the claim out.
struct Claims {
  std::string iss = "\"" + kIssuer + "\"";
  std::string aud = R"("ccm-gateway")";
  std::string exp = at(1h);
  std::string nbf;
  std::string iat = at(-1min);
  std::string extra;  // further members, each led by a comma

  std::string json() const {
    std::string out = R"({"sub":"user-1","preferred_username":"alice")";
    for (const auto& [name, value] : {std::pair{"iss", iss}, {"aud", aud}, {"exp", exp}, {"nbf", nbf}, {"iat", iat}})
      if (!value.empty()) out += std::string(",\"") + name + "\":" + value;
    return out + extra + "}";
  }
};

struct Keys {
  TestSigningKey rsa = TestSigningKey::rsa("rsa-1");
  TestSigningKey rsa_impostor = TestSigningKey::rsa("rsa-1");
  TestSigningKey ec256 = TestSigningKey::ec("ec-256", "P-256");
  TestSigningKey ec384 = TestSigningKey::ec("ec-384", "P-384");
};

const Keys& keys() {
  static const Keys made;
  return made;
}

JwkSet setOf(const std::string& jwks) {
  auto parsed = JwkSet::parse(jwks);
  if (!parsed) throw std::runtime_error(parsed.error().message);
  return std::move(parsed.value());
}

const JwkSet& issuerKeys() {
  static const JwkSet set = setOf(jwksOf({&keys().rsa, &keys().ec256, &keys().ec384}));
  return set;
}

std::variant<VerifiedJwt, JwtFailure> verify(std::string_view token, const JwkSet& set = issuerKeys(),
                                             std::chrono::seconds skew = 60s) {
  return verifyJwt(token, set, JwtExpectations{kIssuer, "ccm-gateway", skew}, kNow);
}

JwtFailure failureOf(const std::variant<VerifiedJwt, JwtFailure>& result) {
  if (const auto* failure = std::get_if<JwtFailure>(&result)) return *failure;
  ADD_FAILURE() << "the token was accepted";
  return {};
}

std::string rs256(const Claims& claims) {
  return keys().rsa.sign(claims.json(), "RS256");
}

class SignedWith : public ::testing::TestWithParam<std::string> {};

TEST_P(SignedWith, IsAcceptedWithItsClaims) {
  const std::string& alg = GetParam();
  const TestSigningKey& key = alg == "ES256" ? keys().ec256 : alg == "ES384" ? keys().ec384 : keys().rsa;
  const auto result = verify(key.sign(Claims{}.json(), alg));
  const auto* verified = std::get_if<VerifiedJwt>(&result);
  ASSERT_NE(verified, nullptr) << failureOf(result).description;
  EXPECT_EQ(verified->subject, "user-1");
  EXPECT_EQ(verified->username, "alice");
  ASSERT_NE(verified->claims, nullptr);
  EXPECT_STREQ((*verified->claims)["iss"].GetString(), kIssuer.c_str());
  EXPECT_EQ((*verified->claims)["exp"].GetInt64(), kNowSeconds + 3600);
}

INSTANTIATE_TEST_SUITE_P(JwtVerifier, SignedWith,
                         ::testing::Values("RS256", "RS384", "RS512", "PS256", "ES256", "ES384"));

TEST(JwtVerifier, TokenWithoutKidUsesTheOnlyKeyOfTheSet) {
  const JwkSet single = setOf(jwksOf({&keys().rsa}));
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(keys().rsa.sign(Claims{}.json(), "RS256", false), single)));
}

TEST(JwtVerifier, TokenWithoutKidIsUnknownKeyWhenTheSetHoldsSeveral) {
  const auto failure = failureOf(verify(keys().rsa.sign(Claims{}.json(), "RS256", false)));
  EXPECT_EQ(failure.reason, "unknown_key");
  EXPECT_EQ(failure.description, "token names no kid and the issuer's JWKS holds 3 keys");
  EXPECT_EQ(failure.kid, "");
}

TEST(JwtVerifier, UnknownKidIsReportedWithTheKid) {
  const TestSigningKey other = TestSigningKey::ec("k2", "P-256");
  const auto failure = failureOf(verify(other.sign(Claims{}.json(), "ES256")));
  EXPECT_EQ(failure.reason, "unknown_key");
  EXPECT_EQ(failure.description, "no key with kid \"k2\" in the issuer's JWKS");
  EXPECT_EQ(failure.kid, "k2");
}

TEST(JwtVerifier, TwoSegmentsAreMalformed) {
  const auto failure = failureOf(verify(base64Url(R"({"alg":"RS256"})") + "." + base64Url("{}")));
  EXPECT_EQ(failure.reason, "malformed");
  EXPECT_EQ(failure.description, "token has 2 segments; a signed JWT has 3 (header.payload.signature)");
}

TEST(JwtVerifier, SegmentsOutsideTheBase64UrlAlphabetAreMalformed) {
  const std::string token = rs256(Claims{});
  EXPECT_EQ(failureOf(verify("eyJ+" + token.substr(4))).description, "token header is not base64url");
  const auto padded = failureOf(verify(token + "="));
  EXPECT_EQ(padded.reason, "malformed");
  EXPECT_EQ(padded.description, "token signature is not base64url");
}

TEST(JwtVerifier, HeaderThatIsNotJsonIsMalformed) {
  const auto failure = failureOf(verify(base64Url("not json") + "." + base64Url("{}") + ".c2ln"));
  EXPECT_EQ(failure.reason, "malformed");
  EXPECT_THAT(failure.description, HasSubstr("token header is not JSON"));
}

TEST(JwtVerifier, HeaderWithDuplicateMembersIsMalformed) {
  const std::string header = R"({"alg":"RS256","kid":"rsa-1","alg":"none"})";
  const auto failure = failureOf(verify(base64Url(header) + "." + base64Url("{}") + ".c2ln"));
  EXPECT_EQ(failure.reason, "malformed");
  EXPECT_EQ(failure.description, "token header has the member \"alg\" twice");
}

TEST(JwtVerifier, CriticalHeaderExtensionsAreMalformed) {
  const std::string header = R"({"alg":"RS256","kid":"rsa-1","crit":["exp"],"exp":1})";
  const auto failure = failureOf(verify(base64Url(header) + "." + base64Url(Claims{}.json()) + ".c2ln"));
  EXPECT_EQ(failure.reason, "malformed");
  EXPECT_THAT(failure.description, HasSubstr("\"crit\""));
}

TEST(JwtVerifier, PayloadNestedDeeperThan16LevelsIsMalformed) {
  Claims deep;
  deep.extra = R"(,"deep":)" + std::string(16, '[') + std::string(16, ']');
  const auto failure = failureOf(verify(rs256(deep)));
  EXPECT_EQ(failure.reason, "malformed");
  EXPECT_EQ(failure.description, "token payload nests JSON deeper than 16 levels");

  Claims at_limit;
  at_limit.extra = R"(,"deep":)" + std::string(15, '[') + std::string(15, ']');
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(rs256(at_limit))));
}

TEST(JwtVerifier, TokenOver16KiBIsMalformed) {
  Claims big;
  big.extra = R"(,"pad":")" + std::string(13000, 'x') + "\"";
  const std::string token = rs256(big);
  ASSERT_GT(token.size(), 16384u);
  const auto failure = failureOf(verify(token));
  EXPECT_EQ(failure.reason, "malformed");
  EXPECT_EQ(failure.description, "token is " + std::to_string(token.size()) + " bytes; at most 16384 accepted");
}

TEST(JwtVerifier, PayloadThatIsNotAnObjectIsMalformed) {
  const auto failure = failureOf(verify(keys().rsa.sign("[1]", "RS256")));
  EXPECT_EQ(failure.reason, "malformed");
  EXPECT_EQ(failure.description, "token payload is not a JSON object");
}

TEST(JwtVerifier, AlgNoneIsRefused) {
  const auto failure = failureOf(verify(keys().rsa.sign(Claims{}.json(), "none")));
  EXPECT_EQ(failure.reason, "algorithm");
  EXPECT_EQ(failure.description, "token signed with alg none; " + kAccepted);
}

TEST(JwtVerifier, Hs256KeyedWithThePublicKeyPemIsRefused) {
  const std::string token = keys().rsa.sign(Claims{}.json(), "HS256", true, keys().rsa.publicKeyPem());
  const auto failure = failureOf(verify(token));
  EXPECT_EQ(failure.reason, "algorithm");
  EXPECT_EQ(failure.description, "token signed with alg HS256; " + kAccepted);
}

TEST(JwtVerifier, SignatureByAnotherKeyUnderTheSameKidFails) {
  const auto failure = failureOf(verify(keys().rsa_impostor.sign(Claims{}.json(), "RS256")));
  EXPECT_EQ(failure.reason, "signature");
  EXPECT_EQ(failure.description, "token signature does not verify with key \"rsa-1\"");
  EXPECT_EQ(ERR_peek_error(), 0u) << "the OpenSSL error queue is left for the next TLS call";
}

TEST(JwtVerifier, ChangedPayloadFailsTheSignature) {
  const std::string token = keys().ec256.sign(Claims{}.json(), "ES256");
  Claims admin;
  admin.extra = R"(,"roles":["admin"])";
  const std::string forged = keys().ec256.sign(admin.json(), "ES256");
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot + 1);
  const std::string payload = forged.substr(first_dot + 1, forged.find('.', first_dot + 1) - first_dot - 1);
  const auto failure = failureOf(verify(token.substr(0, first_dot + 1) + payload + token.substr(second_dot)));
  EXPECT_EQ(failure.reason, "signature");
}

TEST(JwtVerifier, EcSignatureOfTheWrongLengthFails) {
  const std::string token = keys().ec256.sign(Claims{}.json(), "ES256");
  const std::string signing_input = token.substr(0, token.rfind('.'));
  const auto failure = failureOf(verify(signing_input + "." + base64Url(std::string(63, '\x01'))));
  EXPECT_EQ(failure.reason, "signature");
  EXPECT_EQ(failure.description, "token signature is 63 bytes; ES256 needs 64");
}

TEST(JwtVerifier, WrongIssuerFails) {
  Claims claims;
  claims.iss = R"("https://evil.example")";
  const auto failure = failureOf(verify(rs256(claims)));
  EXPECT_EQ(failure.reason, "issuer");
  EXPECT_EQ(failure.description, "token issuer \"https://evil.example\" is not \"" + kIssuer + "\"");
}

TEST(JwtVerifier, WrongAudienceStringFails) {
  Claims claims;
  claims.aud = R"("other")";
  const auto failure = failureOf(verify(rs256(claims)));
  EXPECT_EQ(failure.reason, "audience");
  EXPECT_EQ(failure.description, "token audience \"other\" does not include \"ccm-gateway\"");
}

TEST(JwtVerifier, WrongAudienceArrayFails) {
  Claims claims;
  claims.aud = R"(["other","account"])";
  const auto failure = failureOf(verify(rs256(claims)));
  EXPECT_EQ(failure.reason, "audience");
  EXPECT_EQ(failure.description, "token audience [\"other\", \"account\"] does not include \"ccm-gateway\"");
}

TEST(JwtVerifier, AudienceArrayThatIncludesOursIsAccepted) {
  Claims claims;
  claims.aud = R"(["account","ccm-gateway"])";
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(rs256(claims))));
}

TEST(JwtVerifier, ExpiredTokenFails) {
  Claims claims;
  claims.exp = at(-1h);
  const auto failure = failureOf(verify(rs256(claims)));
  EXPECT_EQ(failure.reason, "expired");
  EXPECT_EQ(failure.description, "token expired at 2026-12-03T05:00:00Z (clock skew 60 s)");
}

TEST(JwtVerifier, TokenExpired30SecondsAgoPassesWithinTheClockSkew) {
  Claims claims;
  claims.exp = at(-30s);
  const std::string token = rs256(claims);
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(token, issuerKeys(), 60s)));
  const auto failure = failureOf(verify(token, issuerKeys(), 10s));
  EXPECT_EQ(failure.reason, "expired");
  EXPECT_EQ(failure.description, "token expired at 2026-12-03T05:59:30Z (clock skew 10 s)");
}

TEST(JwtVerifier, TokenWithoutExpIsMalformed) {
  Claims claims;
  claims.exp = "";
  const auto failure = failureOf(verify(rs256(claims)));
  EXPECT_EQ(failure.reason, "malformed");
  EXPECT_EQ(failure.description, "token has no \"exp\" claim");
}

TEST(JwtVerifier, TimeClaimThatIsNotANumberIsMalformed) {
  Claims claims;
  claims.exp = "\"" + at(1h) + "\"";
  const auto failure = failureOf(verify(rs256(claims)));
  EXPECT_EQ(failure.reason, "malformed");
  EXPECT_EQ(failure.description, "token claim \"exp\" is not a number");
}

TEST(JwtVerifier, TimeClaimsMayBeFractional) {
  Claims claims;
  claims.exp = at(1h) + ".5";
  claims.iat = at(-1min) + ".25";
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(rs256(claims))));
}

TEST(JwtVerifier, TokenNotYetValidFails) {
  Claims claims;
  claims.nbf = at(1h);
  const auto failure = failureOf(verify(rs256(claims)));
  EXPECT_EQ(failure.reason, "not_yet_valid");
  EXPECT_EQ(failure.description, "token not valid before 2026-12-03T07:00:00Z (clock skew 60 s)");
}

TEST(JwtVerifier, TokenIssuedInTheFutureFails) {
  Claims claims;
  claims.iat = at(1h);
  const auto failure = failureOf(verify(rs256(claims)));
  EXPECT_EQ(failure.reason, "issued_in_future");
  EXPECT_EQ(failure.description, "token issued in the future, at 2026-12-03T07:00:00Z (clock skew 60 s)");
}

TEST(JwtVerifier, Es256TokenForAnRsaKeyIsRefused) {
  const TestSigningKey ec_under_rsa_kid = TestSigningKey::ec("rsa-1", "P-256");
  const auto failure = failureOf(verify(ec_under_rsa_kid.sign(Claims{}.json(), "ES256")));
  EXPECT_EQ(failure.reason, "algorithm");
  EXPECT_EQ(failure.description, "token alg ES256 needs an EC P-256 key; key \"rsa-1\" is RSA");
}

TEST(JwtVerifier, Rs256TokenForAnEcKeyIsRefused) {
  const JwkSet ec_only = setOf(jwksOf({&keys().ec256}));
  const auto failure = failureOf(verify(keys().rsa.sign(Claims{}.json(), "RS256", false), ec_only));
  EXPECT_EQ(failure.reason, "algorithm");
  EXPECT_EQ(failure.description, "token alg RS256 needs an RSA key; key \"ec-256\" is EC P-256");
}

TEST(JwtVerifier, Es384TokenForAP256KeyIsRefused) {
  const JwkSet p256_only = setOf(jwksOf({&keys().ec256}));
  const auto failure = failureOf(verify(keys().ec384.sign(Claims{}.json(), "ES384", false), p256_only));
  EXPECT_EQ(failure.reason, "algorithm");
  EXPECT_EQ(failure.description, "token alg ES384 needs an EC P-384 key; key \"ec-256\" is EC P-256");
}

TEST(JwtVerifier, AlgOtherThanTheOneTheJwkNamesIsRefused) {
  std::string jwk = keys().rsa.jwk();
  jwk.insert(1, R"("alg":"RS256",)");
  const JwkSet pinned = setOf(R"({"keys":[)" + jwk + "]}");
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(keys().rsa.sign(Claims{}.json(), "RS256"), pinned)));
  const auto failure = failureOf(verify(keys().rsa.sign(Claims{}.json(), "RS384"), pinned));
  EXPECT_EQ(failure.reason, "algorithm");
  EXPECT_EQ(failure.description, "key \"rsa-1\" is for alg RS256; token signed with alg RS384");
}

TEST(JwtVerifier, ClientStringsInDescriptionsAreEscaped) {
  Claims claims;
  claims.iss = R"("evil\n\"issuer\"")";
  EXPECT_EQ(failureOf(verify(rs256(claims))).description,
            "token issuer \"evil\\u000a\\\"issuer\\\"\" is not \"" + kIssuer + "\"");
}

TEST(LooksLikeJwt, AcceptsTheCompactSerializationShapeOnly) {
  EXPECT_TRUE(looksLikeJwt(rs256(Claims{})));
  EXPECT_TRUE(looksLikeJwt("a.b.c"));
  EXPECT_FALSE(looksLikeJwt("ccm_live_0123456789abcdef"));
  EXPECT_FALSE(looksLikeJwt("a.b"));
  EXPECT_FALSE(looksLikeJwt("a.b.c.d"));
  EXPECT_FALSE(looksLikeJwt("a..c"));
  EXPECT_FALSE(looksLikeJwt(".b.c"));
  EXPECT_TRUE(looksLikeJwt("a.b.")) << "alg none: refused as a token, not looked up as an API key";
  EXPECT_FALSE(looksLikeJwt("a.b.c="));
  EXPECT_FALSE(looksLikeJwt("a.b+.c"));
  EXPECT_FALSE(looksLikeJwt(""));
}

}  // namespace
}  // namespace ccm::core
