#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>

#include "eventgrid_test_support.hpp"
#include "fakes/event_grid_fake.hpp"
#include "fakes/oauth_token_fake.hpp"

namespace ccm::sinks::eventgrid {
namespace {

using namespace std::chrono_literals;
using fakes::EntraApp;
using fakes::EventGridFake;
using fakes::EventGridTopic;
using fakes::Reply;
using sdk::Outcome;
using testing::configFor;
using testing::kKeyVariable;
using testing::makeEvents;
using testing::ScopedEnv;

const std::string kKey = EventGridTopic{}.access_key;
constexpr const char* kSecretVariable = "CCM_EVENTGRID_TEST_CLIENT_SECRET";

std::string sasAuth() {
  return R"({"type":"sas","key":"env:)" + std::string(kKeyVariable) + "\"}";
}

std::string entraAuth(const fakes::OAuthTokenFake& entra) {
  return R"({"type":"entra","token_url":")" + entra.tokenUrl() + R"(","client_id":")" + EntraApp{}.client_id +
         R"(","client_secret":"env:)" + kSecretVariable + "\"}";
}

Outcome deliverOne(EventGridSink& sink) {
  const auto outcomes = sink.deliver(makeEvents(1));
  EXPECT_EQ(outcomes.size(), 1u);
  return outcomes.empty() ? Outcome{} : outcomes[0];
}

class EventGridAuth : public testing::EventGridFixture, public ::testing::WithParamInterface<bool> {
protected:
  bool isNamespace() const { return GetParam(); }
  EventGridTopic topic(std::function<bool(const std::string&)> accept_bearer = {}) const {
    return EventGridTopic{.type = isNamespace() ? EventGridTopic::Type::Namespace : EventGridTopic::Type::Custom,
                          .accept_bearer = std::move(accept_bearer)};
  }

  ScopedEnv key_{kKeyVariable, kKey};
  ScopedEnv secret_{kSecretVariable, EntraApp{}.client_secret};
};

INSTANTIATE_TEST_SUITE_P(TopicTypes, EventGridAuth, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Namespace" : "Custom"; });

TEST_P(EventGridAuth, TheServiceAcceptsTheAccessKey) {
  EventGridFake fake(topic());
  EXPECT_EQ(deliverOne(*makeSink(configFor(fake, isNamespace(), testing::accessKeyAuth()))).kind,
            Outcome::Kind::Delivered);
  EXPECT_EQ(fake.published().size(), 1u);
}

TEST_P(EventGridAuth, AWrongAccessKeyIsPermanentWithAzuresMessage) {
  EventGridFake fake(topic());
  ScopedEnv wrong(kKeyVariable, "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktMzI=");
  const Outcome outcome = deliverOne(*makeSink(configFor(fake, isNamespace(), testing::accessKeyAuth())));
  EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcome.message,
            "HTTP 401 Unauthorized: Unauthorized: The request authorization key is not authorized. The key doesn't "
            "match.");
}

TEST_P(EventGridAuth, TheServiceAcceptsTheSasTokenItRecomputes) {
  EventGridFake fake(topic());
  EXPECT_EQ(deliverOne(*makeSink(configFor(fake, isNamespace(), sasAuth()))).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(fake.published().size(), 1u);
}

TEST_P(EventGridAuth, TheServiceAcceptsAnEntraTokenAndTheSinkReusesIt) {
  fakes::OAuthTokenFake entra;
  EventGridFake fake(topic([&](const std::string& token) { return entra.isValid(token); }));
  auto sink = makeSink(configFor(fake, isNamespace(), entraAuth(entra)));
  for (int round = 0; round < 3; ++round) EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(entra.requests().size(), 1u);
  EXPECT_EQ(fake.published().size(), 3u);
}

TEST_P(EventGridAuth, ASasTokenIsReusedThenSignedAgainFiveMinutesBeforeItExpires) {
  EventGridFake fake(topic());
  host_.fixed_now = testing::kNow;
  fake.clock().set(testing::kNow);
  auto sink = makeSink(configFor(fake, isNamespace(), sasAuth()));
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  host_.fixed_now = testing::kNow + 54min;
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  host_.fixed_now = testing::kNow + 56min;
  fake.clock().set(testing::kNow + 56min);
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);

  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].header("aeg-sas-token"), requests[1].header("aeg-sas-token"));
  EXPECT_NE(requests[1].header("aeg-sas-token"), requests[2].header("aeg-sas-token"));
  // Signed at 10:22:53, the new token runs until 11:22:53.
  EXPECT_NE(requests[2].header("aeg-sas-token")->find("&e=3%2F14%2F2025+11%3A22%3A53+AM&s="), std::string::npos);
}

TEST_P(EventGridAuth, AnExpiredSasTokenIsRefusedAs401) {
  EventGridFake fake(topic());
  // The sink's clock runs two hours behind the service's: its tokens arrive expired.
  host_.fixed_now = testing::kNow - 2h;
  fake.clock().set(testing::kNow);
  const Outcome outcome = deliverOne(*makeSink(configFor(fake, isNamespace(), sasAuth())));
  EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
  EXPECT_NE(outcome.message.find("The SAS token has expired."), std::string::npos) << outcome.message;
}

TEST_P(EventGridAuth, AnEntraTokenIsFetchedAgainFiveMinutesBeforeItExpires) {
  fakes::OAuthTokenFake entra;
  EventGridFake fake(topic([&](const std::string& token) { return entra.isValid(token); }));
  host_.fixed_now = testing::kNow;
  entra.clock().set(testing::kNow);
  auto sink = makeSink(configFor(fake, isNamespace(), entraAuth(entra)));
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  host_.fixed_now = testing::kNow + 54min;  // expires_in 3599 s: reuse until 54:59
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(entra.issuedTokens().size(), 1u);
  host_.fixed_now = testing::kNow + 55min;
  entra.clock().set(testing::kNow + 55min);
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  ASSERT_EQ(entra.issuedTokens().size(), 2u);
  EXPECT_EQ(fake.requests().back().header("Authorization"), "Bearer " + entra.issuedTokens()[1]);
}

TEST_P(EventGridAuth, A401DropsTheEntraTokenSoTheNextRequestGetsANewOne) {
  fakes::OAuthTokenFake entra;
  EventGridFake fake(topic([&](const std::string& token) { return entra.isValid(token); }));
  fake.script(EventGridFake::azureError(401, "Unauthorized", "The token was revoked."));
  auto sink = makeSink(configFor(fake, isNamespace(), entraAuth(entra)));
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Permanent);
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(entra.issuedTokens().size(), 2u);
}

TEST_P(EventGridAuth, AWrongClientSecretIsPermanentWithEntrasError) {
  fakes::OAuthTokenFake entra;
  EventGridFake fake(topic([&](const std::string& token) { return entra.isValid(token); }));
  ScopedEnv wrong(kSecretVariable, "not-the-secret");
  const Outcome outcome = deliverOne(*makeSink(configFor(fake, isNamespace(), entraAuth(entra))));
  EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcome.message,
            "Microsoft Entra token request failed: HTTP 401 Unauthorized: invalid_client: AADSTS7000215: Invalid "
            "client secret provided.");
  EXPECT_TRUE(fake.requests().empty());
}

TEST_P(EventGridAuth, AnUnavailableTokenEndpointIsRetryableWithItsRetryAfter) {
  fakes::OAuthTokenFake entra;
  EventGridFake fake(topic([&](const std::string& token) { return entra.isValid(token); }));
  entra.script(Reply{.status = 503, .headers = {{"Retry-After", "7"}}, .body = "busy"});
  auto sink = makeSink(configFor(fake, isNamespace(), entraAuth(entra)));
  const Outcome outcome = deliverOne(*sink);
  EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcome.message, "Microsoft Entra token request failed: HTTP 503 Service Unavailable: busy");
  EXPECT_EQ(outcome.retry_after, std::chrono::milliseconds(7s));
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);
}

TEST_P(EventGridAuth, ATokenAnswerWithoutATokenIsRetryable) {
  fakes::OAuthTokenFake entra;
  EventGridFake fake(topic());
  entra.script(Reply{.status = 200, .body = R"({"token_type":"Bearer"})"});
  const Outcome outcome = deliverOne(*makeSink(configFor(fake, isNamespace(), entraAuth(entra))));
  EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcome.message, "Microsoft Entra token request failed: HTTP 200 without access_token");
}

// The answer's body is not quoted: it holds a real token when only expires_in is wrong.
TEST_P(EventGridAuth, ATokenAnswerWithoutALifetimeIsRetryableAndDoesNotQuoteTheToken) {
  fakes::OAuthTokenFake entra;
  EventGridFake fake(topic());
  entra.script(Reply{.status = 200, .body = R"({"access_token":"secret-token-value","expires_in":"soon"})"});
  const Outcome outcome = deliverOne(*makeSink(configFor(fake, isNamespace(), entraAuth(entra))));
  EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcome.message,
            "Microsoft Entra token request failed: HTTP 200 without a positive integer expires_in");
}

TEST_P(EventGridAuth, AReloadPicksUpARotatedKey) {
  const std::string rotated = "cm90YXRlZC1ldmVudC1ncmlkLWFjY2Vzcy1rZXktMzI=";
  testing::TempDir dir;
  const std::string path = dir.file("eventgrid-key");
  std::ofstream(path) << kKey << "\n";
  EventGridFake before(topic());
  const std::string auth = R"({"type":"sas","key":"file:)" + path + "\"}";
  auto sink = makeSink(configFor(before, isNamespace(), auth));
  EXPECT_EQ(deliverOne(*sink).kind, Outcome::Kind::Delivered);

  // Azure regenerates the key; the operator writes the new one and reloads.
  EventGridTopic regenerated = topic();
  regenerated.access_key = rotated;
  EventGridFake after(regenerated);
  std::ofstream(path) << rotated << "\n";
  EXPECT_EQ(deliverOne(*makeSink(configFor(after, isNamespace(), auth))).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(after.published().size(), 1u);
}

}  // namespace
}  // namespace ccm::sinks::eventgrid
