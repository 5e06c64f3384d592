#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "assessment_client_test_support.hpp"

namespace ccm::plugins::assessment_client {
namespace {

using ::testing::HasSubstr;

class KeycloakToken : public testing::AssessmentClientFixture {};

TEST_F(KeycloakToken, RequestIsAClientCredentialsGrantWithHttpBasicByDefault) {
  auto client = makeClient();
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  const auto requests = keycloak_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/realms/ccm/protocol/openid-connect/token");
  EXPECT_EQ(requests[0].header("Content-Type"), "application/x-www-form-urlencoded");
  // base64("ccm-gateway:gateway-secret")
  EXPECT_EQ(requests[0].header("Authorization"), "Basic Y2NtLWdhdGV3YXk6Z2F0ZXdheS1zZWNyZXQ=");
  EXPECT_EQ(requests[0].body, "grant_type=client_credentials");
}

TEST_F(KeycloakToken, FormAuthenticationPutsTheCredentialsInTheBody) {
  auto client = makeClient("\"client_authentication\":\"form\"");
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  const auto requests = keycloak_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("Authorization"), std::nullopt);
  EXPECT_EQ(requests[0].body, "grant_type=client_credentials&client_id=ccm-gateway&client_secret=gateway-secret");
}

TEST_F(KeycloakToken, IdAndSecretWithReservedCharactersAreFormEncodedInBothMethods) {
  fakes::KeycloakFake keycloak({.client_id = "ccm gw", .client_secret = "p@ss:w&rd=+%"});
  fakes::AssessmentPlatformFake platform(keycloak, testing::kPodSchemaFile);
  ::setenv(testing::kSecretVariable, "p@ss:w&rd=+%", 1);
  for (const std::string method : {"basic", "form"}) {
    SCOPED_TRACE(method);
    AssessmentPlatformClient client(
        sdk::PluginContext{"assessment",
                           "{\"base_url\":\"" + platform.baseUrl() + "\",\"token_url\":\"" + keycloak.tokenUrl() +
                               "\",\"client_id\":\"ccm gw\",\"client_secret\":\"env:" + testing::kSecretVariable +
                               "\",\"client_authentication\":\"" + method + "\"}",
                           "", "", host_});
    auto result = client.triggerCollection(collectionRequest());
    EXPECT_TRUE(result) << result.error().message;
  }
  const auto requests = keycloak.requests();
  ASSERT_EQ(requests.size(), 2u);
  // RFC 6749 2.3.1: base64("ccm%20gw:p%40ss%3Aw%26rd%3D%2B%25")
  EXPECT_EQ(requests[0].header("Authorization"), "Basic Y2NtJTIwZ3c6cCU0MHNzJTNBdyUyNnJkJTNEJTJCJTI1");
  EXPECT_EQ(requests[0].body, "grant_type=client_credentials");
  EXPECT_EQ(requests[1].body,
            "grant_type=client_credentials&client_id=ccm%20gw&client_secret=p%40ss%3Aw%26rd%3D%2B%25");
  EXPECT_EQ(keycloak.issuedTokens().size(), 2u);
}

TEST_F(KeycloakToken, TokenIsCachedAcrossCalls) {
  auto client = makeClient();
  ASSERT_TRUE(client->triggerCollection(collectionRequest("s-1")));
  ASSERT_TRUE(client->triggerCollection(collectionRequest("s-2")));
  ASSERT_TRUE(client->assignPod("as-1", "p-1", R"({"id":"s-1","devices":[]})"));
  EXPECT_EQ(tokenRequests(), 1u);
  const auto calls = platform_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].request.header("Authorization"), calls[2].request.header("Authorization"));
}

TEST_F(KeycloakToken, TokenIsRefreshedOnceItIsWithinTheMarginOfExpiry) {
  freezeClock();
  keycloak_.setExpiresIn(std::chrono::seconds(60));
  auto client = makeClient("\"token_refresh_margin_seconds\":10");
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  advanceClock(std::chrono::seconds(49));
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  EXPECT_EQ(tokenRequests(), 1u);
  advanceClock(std::chrono::seconds(1));  // 50 s: 10 s before expiry
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  EXPECT_EQ(tokenRequests(), 2u);
  const auto calls = platform_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2].request.header("Authorization"), "Bearer " + keycloak_.issuedTokens().at(1));
}

TEST_F(KeycloakToken, ShortLivedTokenIsRefreshedHalfwayThroughItsLife) {
  freezeClock();
  keycloak_.setExpiresIn(std::chrono::seconds(4));  // shorter than twice the default 30 s margin
  auto client = makeClient();
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  advanceClock(std::chrono::milliseconds(1999));
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  EXPECT_EQ(tokenRequests(), 1u);
  advanceClock(std::chrono::milliseconds(1));
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  EXPECT_EQ(tokenRequests(), 2u);
}

TEST_F(KeycloakToken, Unauthorized401FetchesOneNewTokenAndRetriesTheCall) {
  platform_.script(fakes::Reply{.status = 401, .body = "token revoked"});
  auto client = makeClient();
  auto result = client->triggerCollection(collectionRequest());
  ASSERT_TRUE(result) << result.error().message;
  const auto tokens = keycloak_.issuedTokens();
  ASSERT_EQ(tokens.size(), 2u);
  const auto calls = platform_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].status, 401);
  EXPECT_EQ(calls[1].status, 202);
  EXPECT_EQ(calls[1].request.header("Authorization"), "Bearer " + tokens[1]);
  EXPECT_EQ(calls[1].request.body, calls[0].request.body);
}

TEST_F(KeycloakToken, RotatedRealmKeyIsRecoveredThroughTheNewToken) {
  auto client = makeClient();
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  keycloak_.rotateSigningKey();  // the cached token no longer verifies
  auto result = client->triggerCollection(collectionRequest());
  ASSERT_TRUE(result) << result.error().message;
  const auto calls = platform_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].status, 401);
  EXPECT_EQ(calls[2].status, 202);
  EXPECT_EQ(tokenRequests(), 2u);
}

TEST_F(KeycloakToken, A401ForTheFreshTokenTooIsAnErrorWithoutFurtherTries) {
  platform_.scriptTimes(2, fakes::Reply{.status = 401});
  auto client = makeClient();
  auto result = client->triggerCollection(collectionRequest());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "assessment platform POST " + platform_.baseUrl() +
                                        "/api/v1/collections: 401 Unauthorized (refused a freshly fetched Keycloak "
                                        "token too)");
  EXPECT_EQ(platform_.calls().size(), 2u);
  EXPECT_EQ(tokenRequests(), 2u);
}

TEST_F(KeycloakToken, WrongClientSecretIsAnErrorWithoutRetries) {
  ::setenv(testing::kSecretVariable, "wrong", 1);
  auto client = makeClient();
  auto result = client->triggerCollection(collectionRequest());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().where, "token_url");
  EXPECT_EQ(result.error().message,
            "Keycloak token request: 401 invalid_client (Invalid client or Invalid client credentials)");
  EXPECT_EQ(tokenRequests(), 1u);
  EXPECT_TRUE(platform_.calls().empty());
}

TEST_F(KeycloakToken, KeycloakUnavailableIsRetried) {
  keycloak_.script(fakes::Reply{.status = 503});
  auto client = makeClient();
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  EXPECT_EQ(tokenRequests(), 2u);
  EXPECT_EQ(platform_.calls().size(), 1u);
}

TEST_F(KeycloakToken, GrantWithoutExpiresInIsRefused) {
  keycloak_.script(fakes::Reply{.status = 200,
                                .headers = {{"Content-Type", "application/json"}},
                                .body = R"({"access_token":"abc","token_type":"Bearer"})"});
  auto client = makeClient();
  auto result = client->triggerCollection(collectionRequest());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "Keycloak token request: 200 response has no positive integer expires_in");
}

}  // namespace
}  // namespace ccm::plugins::assessment_client
