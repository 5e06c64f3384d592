#include <gtest/gtest.h>

#include <string>

#include "ccm/sdk/codec.hpp"
#include "common/crypto.hpp"
#include "eventgrid_test_support.hpp"
#include "fakes/event_grid_fake.hpp"
#include "fakes/oauth_token_fake.hpp"
#include "sas_token.hpp"

namespace ccm::sinks::eventgrid {
namespace {

using fakes::EventGridFake;
using fakes::EventGridTopic;
using fakes::Headers;
using sdk::Outcome;
using testing::configFor;
using testing::kKeyVariable;
using testing::makeEvents;
using testing::ScopedEnv;

const std::string kKey = EventGridTopic{}.access_key;

class EventGridWire : public testing::EventGridFixture {
protected:
  std::string host(const EventGridFake& fake) const { return fake.endpoint().substr(std::string("http://").size()); }

  void expectAllDelivered(const std::vector<Outcome>& outcomes, std::size_t count) {
    ASSERT_EQ(outcomes.size(), count);
    for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered) << outcome.message;
  }

  ScopedEnv key_{kKeyVariable, kKey};
};

TEST_F(EventGridWire, CustomTopicGetsOneBatchPostWithTheAccessKeyInAegSasKey) {
  EventGridFake fake;
  const auto events = makeEvents(2);
  expectAllDelivered(makeSink(configFor(fake, false, testing::accessKeyAuth()))->deliver(events), 2);

  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/api/events?api-version=2018-01-01");
  const std::string body = sdk::toBatch(events);
  const Headers expected = {
      {"Connection", "Keep-Alive"}, {"Content-Type", "application/cloudevents-batch+json; charset=utf-8"},
      {"aeg-sas-key", kKey},        {"Content-Length", std::to_string(body.size())},
      {"Host", host(fake)},
  };
  EXPECT_EQ(requests[0].headers, expected);
  EXPECT_EQ(requests[0].body, body);
  ASSERT_EQ(fake.published().size(), 1u);
  EXPECT_EQ(fake.published()[0], events);
}

// docs/delivery.md#trace-context: a request carries traceparent only when all its events share it.
TEST_F(EventGridWire, ARequestSendsTheTraceparentItsEventsShareAndNoneWhenTheyDiffer) {
  EventGridFake fake;
  constexpr const char* kTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  auto events = makeEvents(2);
  for (auto& event : events) event.extensions["traceparent"] = std::string(kTraceparent);
  auto sink = makeSink(configFor(fake, false, testing::accessKeyAuth()));
  expectAllDelivered(sink->deliver(events), 2);
  events[1].extensions["traceparent"] = std::string("00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01");
  expectAllDelivered(sink->deliver(events), 2);

  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("traceparent"), kTraceparent);
  EXPECT_EQ(requests[0].header("tracestate"), std::nullopt);
  EXPECT_EQ(requests[1].header("traceparent"), std::nullopt);
}

TEST_F(EventGridWire, NamespaceTopicGetsThePublishActionWithASharedAccessKeyAuthorization) {
  EventGridFake fake(EventGridTopic{.type = EventGridTopic::Type::Namespace});
  const auto events = makeEvents(3);
  expectAllDelivered(makeSink(configFor(fake, true, testing::accessKeyAuth()))->deliver(events), 3);

  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/topics/lab-events:publish?api-version=2023-11-01");
  const std::string body = sdk::toBatch(events);
  const Headers expected = {
      {"Connection", "Keep-Alive"},
      {"Content-Type", "application/cloudevents-batch+json; charset=utf-8"},
      {"Authorization", "SharedAccessKey " + kKey},
      {"Content-Length", std::to_string(body.size())},
      {"Host", host(fake)},
  };
  EXPECT_EQ(requests[0].headers, expected);
  EXPECT_EQ(requests[0].body, body);
  EXPECT_EQ(fake.published().at(0), events);
}

TEST_F(EventGridWire, SasTokenSignsTheResourceAndAnExpiryAnHourAhead) {
  EventGridFake fake;
  fake.clock().set(testing::kNow);
  host_.fixed_now = testing::kNow;
  auto sink = makeSink(configFor(fake, false, R"({"type":"sas","key":"env:)" + std::string(kKeyVariable) + "\"}"));
  expectAllDelivered(sink->deliver(makeEvents(1)), 1);

  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 1u);
  // The token the SDKs' algorithm gives for this resource, expiry and key.
  EXPECT_EQ(requests[0].header("aeg-sas-token"),
            sasToken(fake.resource(), testing::kNow + std::chrono::hours(1), *common::base64Decode(kKey)));
  EXPECT_NE(requests[0].header("aeg-sas-token")->find("&e=3%2F14%2F2025+10%3A26%3A53+AM&s="), std::string::npos);
  EXPECT_EQ(requests[0].header("aeg-sas-key"), std::nullopt);
}

TEST_F(EventGridWire, EntraModeSendsTheBearerTokenTheTokenEndpointGranted) {
  fakes::OAuthTokenFake entra;
  EventGridFake fake(EventGridTopic{.accept_bearer = [&](const std::string& token) { return entra.isValid(token); }});
  ScopedEnv secret("CCM_EVENTGRID_TEST_CLIENT_SECRET", fakes::EntraApp{}.client_secret);
  const std::string auth = R"({"type":"entra","token_url":")" + entra.tokenUrl() + R"(","client_id":")" +
                           fakes::EntraApp{}.client_id + R"(","client_secret":"env:CCM_EVENTGRID_TEST_CLIENT_SECRET"})";
  expectAllDelivered(makeSink(configFor(fake, false, auth))->deliver(makeEvents(1)), 1);

  ASSERT_EQ(entra.issuedTokens().size(), 1u);
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(fake.requests()[0].header("Authorization"), "Bearer " + entra.issuedTokens()[0]);
  // RFC 6749 4.4.2, form-encoded: the secret's '~', '+', '/', '&' and '=' survive the trip.
  const auto token_requests = entra.requests();
  ASSERT_EQ(token_requests.size(), 1u);
  EXPECT_EQ(token_requests[0].header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(token_requests[0].body,
            "grant_type=client_credentials&client_id=" + fakes::EntraApp{}.client_id +
                "&client_secret=gw~Secret%2Bwith%2Fodd%26chars%3D&scope=https%3A%2F%2Feventgrid.azure.net%2F.default");
}

TEST_F(EventGridWire, TheEndpointMayBeGivenWithApiEventsAndATrailingSlash) {
  EventGridFake fake;
  auto sink =
      makeSink(R"({"endpoint":")" + fake.endpoint() + R"(/api/events/","auth":)" + testing::accessKeyAuth() + "}");
  expectAllDelivered(sink->deliver(makeEvents(1)), 1);
  EXPECT_EQ(fake.requests().at(0).target, "/api/events?api-version=2018-01-01");
}

TEST_F(EventGridWire, ApiVersionCanBeOverridden) {
  EventGridFake fake;
  makeSink(configFor(fake, false, testing::accessKeyAuth(), R"("api_version":"2020-06-01")"))->deliver(makeEvents(1));
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(fake.requests()[0].target, "/api/events?api-version=2020-06-01");
}

TEST_F(EventGridWire, ReportsTheBatchLimitItWasConfiguredWith) {
  EventGridFake fake;
  EXPECT_EQ(makeSink(configFor(fake, false, testing::accessKeyAuth()))->maxBatchSize(), 100u);
  EXPECT_EQ(makeSink(configFor(fake, false, testing::accessKeyAuth(), R"("max_batch_size":7)"))->maxBatchSize(), 7u);
}

TEST_F(EventGridWire, CountsPublishRequestsByStatus) {
  EventGridFake fake;
  fake.script(EventGridFake::azureError(503, "ServiceUnavailable", "Try again."));
  auto sink = makeSink(configFor(fake, false, testing::accessKeyAuth()));
  sink->deliver(makeEvents(1));
  sink->deliver(makeEvents(1));
  EXPECT_EQ(host_.metricValue("eventgrid_sink_requests_total", {{"status", "503"}}), 1);
  EXPECT_EQ(host_.metricValue("eventgrid_sink_requests_total", {{"status", "200"}}), 1);
  EXPECT_EQ(host_.metricValue("eventgrid_sink_request_seconds_count"), 2);
}

}  // namespace
}  // namespace ccm::sinks::eventgrid
