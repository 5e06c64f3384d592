#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "auth/jwk_set.hpp"
#include "pubsub_test_support.hpp"

namespace ccm::sinks::pubsub {
namespace {

using fakes::PublishedMessage;
using testing::exampleEvent;
using testing::makeEvent;

class PubSubWire : public testing::PubSubFixture {};

TEST_F(PubSubWire, BinaryModeSendsTheBindingsAttributesAndTheDataBase64Encoded) {
  expectAllDelivered(deliver(config(), {exampleEvent()}), 1);

  const auto requests = fake_.publishRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v1/projects/ccm-labs/topics/lab-events:publish");
  const fakes::Headers headers = {{"Connection", "Keep-Alive"},
                                  {"Content-Type", "application/json"},
                                  {"Authorization", "Bearer " + fake_.issuedTokens().at(0)},
                                  {"Content-Length", std::to_string(requests[0].body.size())},
                                  {"Host", fake_.hostAndPort()}};
  EXPECT_EQ(requests[0].headers, headers);
  // {"score":87} is eyJzY29yZSI6ODd9 in base64.
  EXPECT_EQ(requests[0].body,
            R"({"messages":[{"data":"eyJzY29yZSI6ODd9","attributes":{"ce-specversion":"1.0",)"
            R"("ce-id":"0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10","ce-source":"urn:ccm-gateway",)"
            R"("ce-type":"ccm.lablet.session.graded","ce-subject":"session 42","ce-time":"2025-03-14T09:26:53Z",)"
            R"("content-type":"application/json"}}]})");
  const PublishedMessage expected{R"({"score":87})",
                                  {{"ce-specversion", "1.0"},
                                   {"ce-id", "0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10"},
                                   {"ce-source", "urn:ccm-gateway"},
                                   {"ce-type", "ccm.lablet.session.graded"},
                                   {"ce-subject", "session 42"},
                                   {"ce-time", "2025-03-14T09:26:53Z"},
                                   {"content-type", "application/json"}},
                                  ""};
  ASSERT_EQ(fake_.published().size(), 1u);
  EXPECT_EQ(fake_.published()[0], expected);
}

TEST_F(PubSubWire, AttributeValuesAreTheAttributesTextNotPercentEncoded) {
  sdk::CloudEvent event = makeEvent(1, "séance 42 \"quoted\" 100%");
  event.extensions = {{"attempt", std::int32_t{3}}, {"replayed", true}, {"tenant", std::string("lab eu")}};
  expectAllDelivered(deliver(config(), {event}), 1);
  const auto attributes = fake_.published().at(0).attributes;
  EXPECT_EQ(attributes.at("ce-subject"), "séance 42 \"quoted\" 100%");
  EXPECT_EQ(attributes.at("ce-attempt"), "3");
  EXPECT_EQ(attributes.at("ce-replayed"), "true");
  EXPECT_EQ(attributes.at("ce-tenant"), "lab eu");
  EXPECT_EQ(attributes.size(), 9u);
}

TEST_F(PubSubWire, BinaryDataArrivesByteForByte) {
  sdk::CloudEvent event = makeEvent(1);
  event.datacontenttype = std::nullopt;
  event.data = sdk::Data::bytes(std::string("\x00\xff\x10 raw\n", 8));
  expectAllDelivered(deliver(config(), {event}), 1);
  const auto published = fake_.published().at(0);
  EXPECT_EQ(published.data, std::string("\x00\xff\x10 raw\n", 8));
  // Unlabelled bytes get the label they need, as in the HTTP binding.
  EXPECT_EQ(published.attributes.at("content-type"), "application/octet-stream");
}

TEST_F(PubSubWire, AnEventWithoutDataIsAMessageOfAttributesOnly) {
  sdk::CloudEvent event = makeEvent(1);
  event.datacontenttype = std::nullopt;
  event.data = {};
  expectAllDelivered(deliver(config(), {event}), 1);
  EXPECT_EQ(fake_.publishRequests().at(0).body.find("\"data\""), std::string::npos);
  EXPECT_EQ(fake_.published().at(0).data, "");
  EXPECT_FALSE(fake_.published().at(0).attributes.contains("content-type"));
}

TEST_F(PubSubWire, StructuredModeSendsTheEventInTheJsonFormat) {
  expectAllDelivered(deliver(config(R"("mode":"structured")"), {exampleEvent()}), 1);
  const PublishedMessage expected{
      R"({"specversion":"1.0","id":"0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10","source":"urn:ccm-gateway",)"
      R"("type":"ccm.lablet.session.graded","datacontenttype":"application/json","subject":"session 42",)"
      R"("time":"2025-03-14T09:26:53Z","data":{"score":87}})",
      {{"content-type", "application/cloudevents+json; charset=utf-8"}},
      ""};
  EXPECT_EQ(fake_.published().at(0), expected);
}

TEST_F(PubSubWire, WithOrderingTheSubjectIsTheOrderingKey) {
  expectAllDelivered(deliver(config(R"("ordering":true)"), {exampleEvent(), makeEvent(2)}), 2);
  const auto published = fake_.published();
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0].ordering_key, "session 42");
  // An event without a subject has no ordering key; it goes in a request of its own.
  EXPECT_EQ(published[1].ordering_key, "");
  const auto requests = fake_.publishRequests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].body.find(R"(,"orderingKey":"session 42"}]})"), std::string::npos) << requests[0].body;
}

TEST_F(PubSubWire, WithoutOrderingNoOrderingKeyIsSent) {
  expectAllDelivered(deliver(config(), {exampleEvent()}), 1);
  EXPECT_EQ(fake_.publishRequests().at(0).body.find("orderingKey"), std::string::npos);
}

TEST_F(PubSubWire, TheTokenRequestCarriesAJwtSignedWithTheKeyAsGoogleDocumentsIt) {
  host_.fixed_now = testing::kNow;
  fake_.clock().set(testing::kNow);
  expectAllDelivered(deliver(config(), {makeEvent(1)}), 1);

  const auto requests = fake_.tokenRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/token");
  const fakes::Headers headers = {{"Connection", "Keep-Alive"},
                                  {"Content-Type", "application/x-www-form-urlencoded"},
                                  {"Content-Length", std::to_string(requests[0].body.size())},
                                  {"Host", fake_.hostAndPort()}};
  EXPECT_EQ(requests[0].headers, headers);
  const std::string prefix = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=";
  ASSERT_TRUE(requests[0].body.starts_with(prefix)) << requests[0].body;
  const std::string jwt = requests[0].body.substr(prefix.size());
  const auto first_dot = jwt.find('.');
  const auto second_dot = jwt.find('.', first_dot + 1);
  EXPECT_EQ(core::decodeBase64Url(jwt.substr(0, first_dot)),
            R"({"alg":"RS256","typ":"JWT","kid":")" + fake_.project().private_key_id + "\"}");
  // 1741944413 is kNow; exp is an hour later.
  EXPECT_EQ(core::decodeBase64Url(jwt.substr(first_dot + 1, second_dot - first_dot - 1)),
            R"({"iss":"ccm-gateway@ccm-labs.iam.gserviceaccount.com","scope":"https://www.googleapis.com/auth/pubsub",)"
            R"("aud":")" +
                fake_.tokenUri() + R"(","iat":1741944413,"exp":1741948013})");
  // RS256 with a 2048-bit key: 256 bytes, 342 base64url characters.
  EXPECT_EQ(jwt.size() - second_dot - 1, 342u);
}

TEST_F(PubSubWire, ReportsTheBatchLimitItWasConfiguredWith) {
  EXPECT_EQ(makeSink(config())->maxBatchSize(), 100u);
  EXPECT_EQ(makeSink(config(R"("max_batch_size":7)"))->maxBatchSize(), 7u);
}

TEST_F(PubSubWire, CountsPublishAndTokenRequestsByStatus) {
  fake_.scriptPublish(fakes::PubSubFake::rpcError(503, "UNAVAILABLE", "The service is currently unavailable."));
  auto sink = makeSink(config());
  sink->deliver({makeEvent(1)});
  sink->deliver({makeEvent(2)});
  EXPECT_EQ(host_.metricValue("pubsub_sink_requests_total", {{"status", "503"}}), 1);
  EXPECT_EQ(host_.metricValue("pubsub_sink_requests_total", {{"status", "200"}}), 1);
  EXPECT_EQ(host_.metricValue("pubsub_sink_request_seconds_count"), 2);
  EXPECT_EQ(host_.metricValue("pubsub_sink_token_requests_total", {{"status", "200"}}), 1);
}

}  // namespace
}  // namespace ccm::sinks::pubsub
