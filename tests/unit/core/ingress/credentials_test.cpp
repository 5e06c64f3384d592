#include "ingress/credentials.hpp"

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

Credentials bearer(std::string token) { return {Credentials::Kind::Bearer, std::move(token), {}, nullptr, {}}; }
Credentials hmac(std::string secret) { return {Credentials::Kind::Hmac, std::move(secret), "X-Signature", nullptr, {}}; }

TEST(IngressCredentials, HmacSha256MatchesRfc4231TestCase2) {
  EXPECT_EQ(hmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(IngressCredentials, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(constantTimeEquals("", ""));
}

TEST(IngressCredentials, MissingBearerTokenIs401) {
  auto failure = checkCredentials(bearer("t0k"), {{"Content-Type", "application/json"}}, "{}");
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->category, ErrorCategory::Unauthenticated);
  EXPECT_EQ(failure->header, "Authorization");
}

TEST(IngressCredentials, AnotherSchemeIs401) {
  auto failure = checkCredentials(bearer("t0k"), {{"Authorization", "Basic dXNlcjpwdw=="}}, "{}");
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->category, ErrorCategory::Unauthenticated);
  EXPECT_THAT(failure->detail, HasSubstr("Bearer scheme"));
}

TEST(IngressCredentials, WrongBearerTokenIs403) {
  auto failure = checkCredentials(bearer("t0k"), {{"Authorization", "Bearer t0k-but-longer"}}, "{}");
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->category, ErrorCategory::Forbidden);
}

TEST(IngressCredentials, RightBearerTokenPassesWhateverTheCaseOfNames) {
  EXPECT_FALSE(checkCredentials(bearer("t0k"), {{"authorization", "bearer t0k"}}, "{}"));
  EXPECT_FALSE(checkCredentials(bearer("t0k"), {{"AUTHORIZATION", "  Bearer t0k "}}, "{}"));
}

TEST(IngressCredentials, SignatureIsTheHmacOfTheRawBody) {
  const std::string body = R"({"specversion":"1.0"})";
  const std::string signature = hmacSha256Hex("s3cret", body);
  EXPECT_FALSE(checkCredentials(hmac("s3cret"), {{"X-Signature", signature}}, body));
  EXPECT_FALSE(checkCredentials(hmac("s3cret"), {{"x-signature", "sha256=" + signature}}, body));
  std::string upper = signature;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(checkCredentials(hmac("s3cret"), {{"X-Signature", upper}}, body));
}

TEST(IngressCredentials, SignatureOfAnotherBodyIs403) {
  const std::string signature = hmacSha256Hex("s3cret", "{}");
  auto failure = checkCredentials(hmac("s3cret"), {{"X-Signature", signature}}, "{ }");
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->category, ErrorCategory::Forbidden);
  EXPECT_EQ(failure->header, "X-Signature");
}

TEST(IngressCredentials, MissingSignatureIs401NamingTheHeader) {
  Credentials credentials = hmac("s3cret");
  credentials.header = "X-Grading-Signature";
  auto failure = checkCredentials(credentials, {{"X-Signature", hmacSha256Hex("s3cret", "{}")}}, "{}");
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->category, ErrorCategory::Unauthenticated);
  EXPECT_THAT(failure->detail, HasSubstr("X-Grading-Signature"));
}

TEST(IngressCredentials, ResolvesSecretReferencesAndNamesTheConfigPointerWhenItCannot) {
  ::setenv("CCM_INGRESS_TEST_TOKEN", "from-env", 1);
  IngressAuthConfig config;
  config.bearer_token = "env:CCM_INGRESS_TEST_TOKEN";
  config.pointer = "/sources/0/auth";
  auto resolved = resolveCredentials(config, nullptr);
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved.value().kind, Credentials::Kind::Bearer);
  EXPECT_EQ(resolved.value().secret, "from-env");

  config.bearer_token.clear();
  config.hmac_secret = "env:CCM_INGRESS_TEST_UNSET";
  ::unsetenv("CCM_INGRESS_TEST_UNSET");
  auto missing = resolveCredentials(config, nullptr);
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("/sources/0/auth/hmac_secret: "));
  EXPECT_THAT(missing.error().message, HasSubstr("CCM_INGRESS_TEST_UNSET is not set"));
}

TEST(IngressCredentials, AnEmptySecretIsRefused) {
  ::setenv("CCM_INGRESS_TEST_EMPTY", "", 1);
  IngressAuthConfig config;
  config.bearer_token = "env:CCM_INGRESS_TEST_EMPTY";
  config.pointer = "/ingress/forward_auth";
  auto resolved = resolveCredentials(config, nullptr);
  ASSERT_FALSE(resolved);
  EXPECT_THAT(resolved.error().message, HasSubstr("resolves to an empty secret"));
}

}  // namespace
}  // namespace ccm::core
