// ApiAuthenticator against a fake OIDC issuer on 127.0.0.1: tokens, API keys,
// client certificates, role names, and 503 while the issuer's keys are unknown.
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/api_authenticator.hpp"
#include "fakes/oidc_issuer_fake.hpp"
#include "ingress/credentials.hpp"
#include "plugin/http_client.hpp"
#include "support/jwt_signer.hpp"

namespace ccm::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ccm::testing::TestSigningKey;

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) out += {digits[c >> 4], digits[c & 15]};
  return out;
}

class ApiAuthenticatorTest : public ::testing::Test {
protected:
  void SetUp() override { issuer_.publish(ccm::testing::jwksOf({&key_})); }

  std::shared_ptr<const ApiAuthenticator> make(ApiAuthConfig config) {
    OidcSettings oidc{issuer_.issuer(), "ccm-gateway"};
    oidc.roles_claim = roles_claim_;
    config.oidc = oidc;
    auto source = std::make_shared<OidcKeySource>(OidcKeySource::Options{issuer_.issuer()},
                                                  std::make_shared<PooledHttpClient>(sdk::HttpClientOptions{}));
    // Until the first fetch has succeeded, or failed when the issuer is down.
    for (int i = 0; i < 500 && !source->keys() && source->unavailableReason().find("could not") == std::string::npos;
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto made = ApiAuthenticator::create(config, std::make_shared<const TokenVerifier>(source, oidc));
    EXPECT_TRUE(made) << made.error().message;
    return made.value();
  }

  std::string token(const std::string& roles_json) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return key_.sign(R"({"iss":")" + issuer_.issuer() + R"(","aud":"ccm-gateway","sub":"u-7","exp":)" +
                         std::to_string(now + 60) + "," + roles_json + "}",
                     "RS256");
  }

  static HttpRequest request(const std::string& authorization, std::string client_subject = "") {
    HttpRequest request;
    request.method = "GET";
    request.target = "/api/v1/sessions";
    if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
    request.client_subject = std::move(client_subject);
    return request;
  }

  fakes::OidcIssuerFake issuer_;
  TestSigningKey key_ = TestSigningKey::rsa("k1");
  std::string roles_claim_ = "realm_access.roles";
};

TEST_F(ApiAuthenticatorTest, ATokensRolesAreMappedFromTheIdentityProvidersNames) {
  ApiAuthConfig config;
  config.role_names = {{"operator", "ccm-operator"}};
  auto auth = make(config);
  auto who = auth->authenticate(request("Bearer " + token(R"("realm_access":{"roles":["ccm-operator","offline_access"]})")));
  ASSERT_TRUE(std::holds_alternative<Principal>(who)) << std::get<AuthRefusal>(who).detail;
  const auto& principal = std::get<Principal>(who);
  EXPECT_EQ(principal.kind, "token");
  EXPECT_EQ(principal.name, "u-7") << "no preferred_username: the subject";
  EXPECT_THAT(principal.roles.names, ElementsAre("ccm-operator", "offline_access"));
  EXPECT_EQ(principal.roles.highest, Role::Operator);
  // Unmapped, "operator" is no longer one of ours; "viewer" and "admin" are still as written.
  auto plain = auth->authenticate(request("bearer " + token(R"("realm_access":{"roles":["operator","viewer"]})")));
  EXPECT_EQ(std::get<Principal>(plain).roles.highest, Role::Viewer);
}

TEST_F(ApiAuthenticatorTest, RolesMayComeFromAClientsRoles) {
  roles_claim_ = "resource_access.ccm-gateway.roles";
  auto auth = make({});
  auto who = auth->authenticate(request("Bearer " + token(R"("resource_access":{"ccm-gateway":{"roles":["admin"]}})")));
  ASSERT_TRUE(std::holds_alternative<Principal>(who));
  EXPECT_EQ(std::get<Principal>(who).roles.highest, Role::Admin);
  EXPECT_EQ(std::get<Principal>(who).roles_from, "resource_access.ccm-gateway.roles");
}

TEST_F(ApiAuthenticatorTest, AnApiKeyIsKnownByItsSha256) {
  ApiAuthConfig config;
  config.api_keys = {{"ci-bot", hex(sha256("s3cret-key")), {"operator"}, "/server/auth/api_keys/0"}};
  auto auth = make(config);
  auto who = auth->authenticate(request("Bearer s3cret-key"));
  ASSERT_TRUE(std::holds_alternative<Principal>(who));
  EXPECT_EQ(std::get<Principal>(who).kind, "api_key");
  EXPECT_EQ(std::get<Principal>(who).name, "ci-bot");
  EXPECT_EQ(std::get<Principal>(who).roles.highest, Role::Operator);
  auto wrong = auth->authenticate(request("Bearer s3cret-kez"));
  ASSERT_TRUE(std::holds_alternative<AuthRefusal>(wrong));
  EXPECT_EQ(std::get<AuthRefusal>(wrong).category, ErrorCategory::Unauthenticated);
  EXPECT_EQ(std::get<AuthRefusal>(wrong).reason, "unknown_api_key");
}

TEST_F(ApiAuthenticatorTest, AnApiKeyHashThatCannotBeReadIsAConfigurationError) {
  ApiAuthConfig config;
  config.api_keys = {{"ci-bot", "env:CCM_TEST_UNSET_KEY_HASH", {"viewer"}, "/server/auth/api_keys/0"}};
  auto made = ApiAuthenticator::create(config, nullptr);
  ASSERT_FALSE(made);
  EXPECT_THAT(made.error().message, HasSubstr("/server/auth/api_keys/0/key_sha256: "));
  config.api_keys[0].key_sha256 = std::string(63, 'a') + "g";
  made = ApiAuthenticator::create(config, nullptr);
  ASSERT_FALSE(made);
  EXPECT_THAT(made.error().message, HasSubstr("must give 64 hex digits"));
}

TEST_F(ApiAuthenticatorTest, WithoutCredentialsTheClientCertificateNamesTheCaller) {
  ApiAuthConfig config;
  config.client_certificates = {{"CN=runner,O=Labs", {"viewer"}}};
  auto auth = make(config);
  auto mapped = auth->authenticate(request("", "CN=runner,O=Labs"));
  ASSERT_TRUE(std::holds_alternative<Principal>(mapped));
  EXPECT_EQ(std::get<Principal>(mapped).kind, "certificate");
  EXPECT_EQ(std::get<Principal>(mapped).roles.highest, Role::Viewer);
  auto unmapped = auth->authenticate(request("", "CN=stranger"));
  ASSERT_TRUE(std::holds_alternative<Principal>(unmapped)) << "known, but with no roles: a 403";
  EXPECT_FALSE(std::get<Principal>(unmapped).roles.highest);
  auto nothing = auth->authenticate(request(""));
  ASSERT_TRUE(std::holds_alternative<AuthRefusal>(nothing));
  EXPECT_EQ(std::get<AuthRefusal>(nothing).reason, "missing");
  EXPECT_EQ(std::get<AuthRefusal>(nothing).bearer_error, "") << "RFC 6750 3.1: no error code without credentials";
}

TEST_F(ApiAuthenticatorTest, OtherSchemesAreRefused) {
  auto auth = make({});
  auto basic = auth->authenticate(request("Basic dXNlcjpwYXNz"));
  ASSERT_TRUE(std::holds_alternative<AuthRefusal>(basic));
  EXPECT_EQ(std::get<AuthRefusal>(basic).reason, "malformed");
  EXPECT_THAT(std::get<AuthRefusal>(basic).detail, HasSubstr("Bearer scheme"));
}

TEST_F(ApiAuthenticatorTest, TokensWaitForTheIssuersKeysWithA503) {
  issuer_.setAvailable(false);
  auto auth = make({});
  auto who = auth->authenticate(request("Bearer " + token(R"("realm_access":{"roles":["admin"]})")));
  ASSERT_TRUE(std::holds_alternative<AuthRefusal>(who));
  EXPECT_EQ(std::get<AuthRefusal>(who).category, ErrorCategory::Unavailable);
  EXPECT_EQ(std::get<AuthRefusal>(who).reason, "issuer_unavailable");
  EXPECT_THAT(std::get<AuthRefusal>(who).detail, HasSubstr("/.well-known/openid-configuration: HTTP 503"));
}

TEST_F(ApiAuthenticatorTest, AnOversizedKeySetIsRefusedBeforeItIsParsed) {
  issuer_.publish(R"({"keys":[],"padding":")" + std::string(1 << 20, 'x') + "\"}");
  auto auth = make({});
  auto who = auth->authenticate(request("Bearer " + token(R"("realm_access":{"roles":["admin"]})")));
  ASSERT_TRUE(std::holds_alternative<AuthRefusal>(who));
  EXPECT_EQ(std::get<AuthRefusal>(who).category, ErrorCategory::Unavailable);
  EXPECT_THAT(std::get<AuthRefusal>(who).detail, HasSubstr("certs: the document is larger than 1048576 bytes"));
}

TEST(TokenRoles, AreReadAtADottedPath) {
  rapidjson::Document claims;
  claims.Parse(R"({"realm_access":{"roles":["a",1,"b"]},"scope":"x","nested":{"list":"solo"}})");
  EXPECT_THAT(rolesAt(claims, "realm_access.roles"), ElementsAre("a", "b"));
  EXPECT_THAT(rolesAt(claims, "nested.list"), ElementsAre("solo"));
  EXPECT_TRUE(rolesAt(claims, "realm_access.missing").empty());
  EXPECT_TRUE(rolesAt(claims, "scope.deeper").empty());
}

}  // namespace
}  // namespace ccm::core
