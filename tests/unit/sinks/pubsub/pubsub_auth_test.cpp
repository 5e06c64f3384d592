#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>

#include "jwt_signer.hpp"
#include "pubsub_test_support.hpp"

namespace ccm::sinks::pubsub {
namespace {

using namespace std::chrono_literals;
using fakes::PubSubFake;
using fakes::Reply;
using sdk::Outcome;
using testing::kNow;
using testing::makeEvent;
using testing::ScopedEnv;

constexpr const char* kMetadataServer = R"({"type":"metadata_server"})";

class PubSubAuth : public testing::PubSubFixture {
protected:
  Outcome deliverOne(PubSubSink& sink, int n = 1) {
    const auto outcomes = sink.deliver({makeEvent(n)});
    EXPECT_EQ(outcomes.size(), 1u);
    return outcomes.empty() ? Outcome{} : outcomes[0];
  }
  void setClocks(std::chrono::system_clock::time_point now) {
    host_.fixed_now = now;
    fake_.clock().set(now);
  }
  std::string lastAuthorization() const { return fake_.publishRequests().back().header("Authorization").value_or(""); }
};

TEST_F(PubSubAuth, ATokenIsReusedThenFetchedAgainFiveMinutesBeforeItExpires) {
  setClocks(kNow);
  auto sink = makeSink(config());
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  setClocks(kNow + 54min);  // expires_in 3599 s: reused until 54:59
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(fake_.tokenRequests().size(), 1u);
  setClocks(kNow + 55min);
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  ASSERT_EQ(fake_.issuedTokens().size(), 2u);
  EXPECT_EQ(lastAuthorization(), "Bearer " + fake_.issuedTokens()[1]);
  EXPECT_EQ(fake_.published().size(), 3u);
}

TEST_F(PubSubAuth, AShortLivedTokenIsFetchedAgainAtHalfItsLifetime) {
  fakes::PubSubFake short_lived(fakes::GoogleProject{.expires_in = 120s});
  ScopedEnv key(testing::kKeyVariable, short_lived.serviceAccountKey());
  host_.fixed_now = kNow;
  short_lived.clock().set(kNow);
  auto sink = makeSink(R"({"project":"ccm-labs","topic":"lab-events","endpoint":")" + short_lived.endpoint() +
                       R"(","credentials":{"type":"service_account","key":"env:CCM_PUBSUB_TEST_KEY"}})");
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  host_.fixed_now = kNow + 59s;
  short_lived.clock().set(kNow + 59s);
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(short_lived.tokenRequests().size(), 1u);
  host_.fixed_now = kNow + 60s;
  short_lived.clock().set(kNow + 60s);
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(short_lived.tokenRequests().size(), 2u);
}

TEST_F(PubSubAuth, A401FetchesANewTokenAndSendsTheRequestOnceMore) {
  auto sink = makeSink(config());
  EXPECT_EQ(deliverOne(*sink, 1).kind, Outcome::Kind::Delivered);
  fake_.revokeTokens();
  const Outcome outcome = deliverOne(*sink, 2);
  EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered) << outcome.message;
  ASSERT_EQ(fake_.issuedTokens().size(), 2u);
  const auto requests = fake_.publishRequests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].header("Authorization"), "Bearer " + fake_.issuedTokens()[0]);
  EXPECT_EQ(requests[2].header("Authorization"), "Bearer " + fake_.issuedTokens()[1]);
  EXPECT_EQ(requests[2].body, requests[1].body);
  EXPECT_EQ(fake_.published().size(), 2u);
}

TEST_F(PubSubAuth, A401AfterTheNewTokenIsPermanent) {
  const Reply unauthenticated = PubSubFake::rpcError(401, "UNAUTHENTICATED", "Request had invalid credentials.");
  fake_.scriptPublish(unauthenticated);
  fake_.scriptPublish(unauthenticated);
  const auto outcomes = deliver(config(), {makeEvent(1), makeEvent(2)});
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
    EXPECT_EQ(outcome.message, "HTTP 401 Unauthorized: UNAUTHENTICATED: Request had invalid credentials.");
  }
  EXPECT_EQ(fake_.tokenRequests().size(), 2u);
  EXPECT_EQ(fake_.publishRequests().size(), 2u);
}

TEST_F(PubSubAuth, TheMetadataServerGivesTheTokenWhenAskedWithMetadataFlavor) {
  ScopedEnv metadata("GCE_METADATA_HOST", fake_.hostAndPort());
  auto sink = makeSink(configWith(kMetadataServer));
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(deliverOne(*sink, 2).kind, Outcome::Kind::Delivered);
  const auto requests = fake_.metadataRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/computeMetadata/v1/instance/service-accounts/default/token");
  const fakes::Headers headers = {{"Connection", "Keep-Alive"},
                                  {"Metadata-Flavor", "Google"},
                                  {"Content-Length", "0"},
                                  {"Host", fake_.hostAndPort()}};
  EXPECT_EQ(requests[0].headers, headers);
  EXPECT_TRUE(fake_.tokenRequests().empty());
  EXPECT_EQ(lastAuthorization(), "Bearer " + fake_.issuedTokens().at(0));
}

TEST_F(PubSubAuth, WithoutCredentialsOrAKeyFileVariableTheMetadataServerIsAsked) {
  ScopedEnv metadata("GCE_METADATA_HOST", fake_.hostAndPort());
  EXPECT_EQ(deliverOne(*makeSink(configWith(""))).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(fake_.metadataRequests().size(), 1u);
}

TEST_F(PubSubAuth, GoogleApplicationCredentialsNamesTheKeyFile) {
  testing::TempDir dir;
  const std::string path = dir.file("key.json");
  std::ofstream(path) << fake_.serviceAccountKey() << "\n";
  ScopedEnv key_file("GOOGLE_APPLICATION_CREDENTIALS", path);
  EXPECT_EQ(deliverOne(*makeSink(configWith(""))).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(fake_.tokenRequests().size(), 1u);
  EXPECT_TRUE(fake_.metadataRequests().empty());
}

TEST_F(PubSubAuth, AKeyFileReferenceReadsTheFile) {
  testing::TempDir dir;
  const std::string path = dir.file("key.json");
  std::ofstream(path) << fake_.serviceAccountKey() << "\n";
  const auto sink = makeSink(configWith(R"({"type":"service_account","key":"file:)" + path + "\"}"));
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
}

TEST_F(PubSubAuth, TheEmulatorGetsPlainHttpWithoutCredentials) {
  fake_.setEmulator(true);
  ScopedEnv emulator("PUBSUB_EMULATOR_HOST", fake_.hostAndPort());
  // The production config as it stands: the variable overrides endpoint and credentials.
  auto sink = makeSink(R"({"project":"ccm-labs","topic":"lab-events","credentials":{"type":"metadata_server"}})");
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  const auto requests = fake_.publishRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("Authorization"), std::nullopt);
  EXPECT_TRUE(fake_.tokenRequests().empty());
  EXPECT_TRUE(fake_.metadataRequests().empty());
  EXPECT_EQ(fake_.published().size(), 1u);
  const auto logs = host_.logs();
  ASSERT_FALSE(logs.empty());
  EXPECT_EQ(logs.back().level, sdk::LogLevel::Warning);
  EXPECT_EQ(logs.back().message,
            "pubsub sink: PUBSUB_EMULATOR_HOST is set; publishing to the emulator without credentials");
}

TEST_F(PubSubAuth, AKeyGoogleDoesNotKnowIsPermanentWithGooglesError) {
  const auto other = ccm::testing::TestSigningKey::rsa("other");
  ScopedEnv key(testing::kKeyVariable,
                fakes::serviceAccountKeyJson(fake_.project(), other.privateKeyPem(), fake_.tokenUri()));
  const Outcome outcome = deliverOne(*makeSink(config()));
  EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcome.message,
            "Google token request failed: HTTP 400 Bad Request: invalid_grant: Invalid JWT Signature.");
  EXPECT_TRUE(fake_.publishRequests().empty());
}

TEST_F(PubSubAuth, AClockAnHourOffIsPermanentWithGooglesError) {
  host_.fixed_now = kNow - 2h;
  fake_.clock().set(kNow);
  const Outcome outcome = deliverOne(*makeSink(config()));
  EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcome.message,
            "Google token request failed: HTTP 400 Bad Request: invalid_grant: Invalid JWT: Token must be a "
            "short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT "
            "claim.");
}

TEST_F(PubSubAuth, AnUnavailableTokenEndpointIsRetryableWithItsRetryAfter) {
  fake_.scriptToken(Reply{.status = 503, .headers = {{"Retry-After", "7"}}, .body = "busy"});
  auto sink = makeSink(config());
  const Outcome outcome = deliverOne(*sink);
  EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcome.message, "Google token request failed: HTTP 503 Service Unavailable: busy");
  EXPECT_EQ(outcome.retry_after, std::chrono::milliseconds(7s));
  EXPECT_TRUE(fake_.publishRequests().empty());
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
}

TEST_F(PubSubAuth, AMetadataServerWithoutTheServiceAccountIsPermanent) {
  ScopedEnv metadata("GCE_METADATA_HOST", fake_.hostAndPort());
  fake_.scriptToken(Reply{.status = 404, .body = "Not Found"});
  const Outcome outcome = deliverOne(*makeSink(configWith(kMetadataServer)));
  EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcome.message, "metadata server token request failed: HTTP 404 Not Found: Not Found");
}

}  // namespace
}  // namespace ccm::sinks::pubsub
