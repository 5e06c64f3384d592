#include "auth/jwk_set.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/jwt_signer.hpp"

namespace ccm::core {
namespace {

using ccm::testing::base64Url;
using ccm::testing::jwksOf;
using ccm::testing::TestSigningKey;
using ::testing::HasSubstr;

const TestSigningKey& rsaKey() {
  static const TestSigningKey key = TestSigningKey::rsa("rsa-1");
  return key;
}
const TestSigningKey& ec256Key() {
  static const TestSigningKey key = TestSigningKey::ec("ec-256", "P-256");
  return key;
}
const TestSigningKey& ec384Key() {
  static const TestSigningKey key = TestSigningKey::ec("ec-384", "P-384");
  return key;
}

// The document's error, or else the first key it refused.
sdk::Error errorOf(std::string_view json) {
  auto parsed = JwkSet::parse(json);
  if (parsed && parsed.value().refused().empty()) {
    ADD_FAILURE() << "parsed without error: " << json;
    return {};
  }
  return parsed ? parsed.value().refused().front() : parsed.error();
}

TEST(JwkSet, ABadKeyIsLeftOutAndTheOthersKept) {
  std::string bad = rsaKey().jwk();
  bad.replace(bad.find("\"kid\":\"rsa-1\""), 13, "\"kid\":\"bad\"");
  bad.replace(bad.find("\"e\":\""), 5, "\"e\":\"!");
  auto parsed = JwkSet::parse(R"({"keys":[)" + bad + "," + ec256Key().jwk() + "]}");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed.value().keys().size(), 1u);
  EXPECT_NE(parsed.value().find("ec-256"), nullptr);
  ASSERT_EQ(parsed.value().refused().size(), 1u);
  EXPECT_THAT(parsed.value().refused()[0].message, HasSubstr("keys[0].e"));
}

TEST(JwkSet, ParsesRsaAndEcKeys) {
  auto parsed = JwkSet::parse(jwksOf({&rsaKey(), &ec256Key(), &ec384Key()}));
  ASSERT_TRUE(parsed) << parsed.error().message;
  const JwkSet& set = parsed.value();
  ASSERT_EQ(set.keys().size(), 3u);
  const Jwk* rsa = set.find("rsa-1");
  ASSERT_NE(rsa, nullptr);
  EXPECT_EQ(rsa->kty, "RSA");
  EXPECT_EQ(rsa->alg, "");
  EXPECT_NE(rsa->key, nullptr);
  const Jwk* ec = set.find("ec-384");
  ASSERT_NE(ec, nullptr);
  EXPECT_EQ(ec->kty, "EC");
  EXPECT_EQ(ec->crv, "P-384");
  EXPECT_NE(ec->key, nullptr);
  EXPECT_EQ(set.find("ec-256")->crv, "P-256");
  EXPECT_EQ(set.find("nope"), nullptr);
}

TEST(JwkSet, KeepsTheAlgAJwkNames) {
  std::string jwk = rsaKey().jwk();
  jwk.insert(1, R"("alg":"RS256",)");
  auto parsed = JwkSet::parse(R"({"keys":[)" + jwk + "]}");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed.value().find("rsa-1")->alg, "RS256");
}

TEST(JwkSet, SkipsEncryptionKeysAndKeyTypesItDoesNotVerifyWith) {
  const std::string json =
      R"({"keys":[)"
      R"({"kty":"RSA","use":"enc","kid":"enc-1","n":"AQAB","e":"AQAB"},)"
      R"({"kty":"oct","kid":"hmac","k":"c2VjcmV0"},)"
      R"({"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},)"
      R"({"kty":"EC","crv":"P-521","kid":"p521","x":"AA","y":"AA"},)" +
      rsaKey().jwk() + "]}";
  auto parsed = JwkSet::parse(json);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed.value().keys().size(), 1u);
  EXPECT_EQ(parsed.value().keys().front().kid, "rsa-1");
  EXPECT_EQ(parsed.value().find("enc-1"), nullptr);
}

TEST(JwkSet, ErrorNamesKeyAndMemberThatIsNotBase64Url) {
  const auto error = errorOf(R"({"keys":[)" + ec256Key().jwk() + R"(,{"kty":"RSA","kid":"x","n":"ab+c","e":"AQAB"}]})");
  EXPECT_EQ(error.where, "keys[1].n");
  EXPECT_EQ(error.message, "keys[1].n: not base64url");
}

TEST(JwkSet, ErrorNamesTheMissingModulus) {
  const auto error = errorOf(R"({"keys":[{"kty":"RSA","kid":"x","e":"AQAB"}]})");
  EXPECT_EQ(error.where, "keys[0].n");
  EXPECT_EQ(error.message, "keys[0].n: missing");
}

TEST(JwkSet, RefusesRsaKeysUnder2048Bits) {
  const TestSigningKey small = TestSigningKey::rsa("small", 1024);
  const auto error = errorOf(jwksOf({&rsaKey(), &small}));
  EXPECT_EQ(error.where, "keys[1].n");
  EXPECT_EQ(error.message, "keys[1].n: RSA modulus of 1024 bits; at least 2048 required");
}

TEST(JwkSet, RefusesAnEcPointOffTheCurve) {
  const std::string one = base64Url(std::string(32, '\x01'));
  const auto error = errorOf(R"({"keys":[{"kty":"EC","crv":"P-256","x":")" + one + R"(","y":")" + one + R"("}]})");
  EXPECT_EQ(error.where, "keys[0]");
  EXPECT_THAT(error.message, HasSubstr("keys[0]: not a valid EC public key"));
}

TEST(JwkSet, RefusesAnEcCoordinateOfTheWrongLength) {
  const std::string short_x = base64Url(std::string(31, '\x01'));
  const std::string y = base64Url(std::string(32, '\x01'));
  const auto error = errorOf(R"({"keys":[{"kty":"EC","crv":"P-256","x":")" + short_x + R"(","y":")" + y + R"("}]})");
  EXPECT_EQ(error.where, "keys[0].x");
  EXPECT_EQ(error.message, "keys[0].x: 31 bytes; expected 32 bytes for P-256");
}

TEST(JwkSet, ErrorNamesAMemberOfTheWrongType) {
  EXPECT_EQ(errorOf(R"({"keys":[{"kty":"RSA","kid":7,"n":"AQAB","e":"AQAB"}]})").message, "keys[0].kid: not a string");
  EXPECT_EQ(errorOf(R"({"keys":[{"kid":"x"}]})").message, "keys[0].kty: missing");
  EXPECT_EQ(errorOf(R"({"keys":["RSA"]})").message, "keys[0]: not a JSON object");
}

TEST(JwkSet, RefusesADocumentThatIsNoKeySet) {
  EXPECT_EQ(errorOf(R"({"key":[]})").message, "keys: missing");
  EXPECT_EQ(errorOf(R"({"keys":{}})").message, "keys: not an array");
  EXPECT_EQ(errorOf("[]").message, "the JWKS is not a JSON object");
  EXPECT_THAT(errorOf(R"({"keys":[)").message, HasSubstr("the JWKS is not well-formed JSON at byte"));
  EXPECT_THAT(errorOf(std::string(R"({"keys":[]})") + '\0' + "x").message, HasSubstr("NUL byte"));
}

TEST(JwkSet, RefusesDeepNesting) {
  const std::string deep = R"({"keys":[],"x":)" + std::string(16, '[') + std::string(16, ']') + "}";
  EXPECT_EQ(errorOf(deep).message, "the JWKS nests deeper than 16 levels");
}

TEST(JwkSet, AnEmptySetFindsNothing) {
  auto parsed = JwkSet::parse(R"({"keys":[]})");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed.value().keys().empty());
  EXPECT_EQ(parsed.value().find(""), nullptr);
}

TEST(DecodeBase64Url, DecodesUnpaddedText) {
  EXPECT_EQ(decodeBase64Url(""), "");
  EXPECT_EQ(decodeBase64Url("Zg"), "f");
  EXPECT_EQ(decodeBase64Url("Zm8"), "fo");
  EXPECT_EQ(decodeBase64Url("Zm9v"), "foo");
  EXPECT_EQ(decodeBase64Url("-_8"), "\xfb\xff");
}

TEST(DecodeBase64Url, RefusesPaddingForeignSymbolsAndNonCanonicalText) {
  EXPECT_EQ(decodeBase64Url("Zg=="), std::nullopt);
  EXPECT_EQ(decodeBase64Url("+/8"), std::nullopt);  // base64, not base64url
  EXPECT_EQ(decodeBase64Url("Zm 9v"), std::nullopt);
  EXPECT_EQ(decodeBase64Url("Zm9vY"), std::nullopt);  // 4n+1 symbols
  EXPECT_EQ(decodeBase64Url("Zh"), std::nullopt);     // unused bits set
}

}  // namespace
}  // namespace ccm::core
