#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "eventbridge_test_support.hpp"
#include "fakes/eventbridge_fake.hpp"

namespace ccm::sinks::eventbridge {
namespace {

using fakes::AwsAccount;
using fakes::EventBridgeFake;
using sdk::Outcome;
using testing::configFor;
using testing::makeEvents;
using testing::ScopedEnv;

// The body for makeEvent(1) with the default mapping, and the signatures of it
// for the request below, computed apart from this code (Python's hmac and
// hashlib, following the SigV4 steps).
const std::string kBody =
    R"({"Entries":[{"Source":"urn:ccm-gateway:lab-7","DetailType":"ccm.lablet.session.graded","Detail":)"
    R"("{\"specversion\":\"1.0\",\"id\":\"evt-1\",\"source\":\"urn:ccm-gateway:lab-7\",)"
    R"(\"type\":\"ccm.lablet.session.graded\",\"datacontenttype\":\"application/json\",\"subject\":\"session-1\",)"
    R"(\"time\":\"2025-03-14T09:26:53Z\",\"data\":{\"score\":87}}","Time":1741944413,"Resources":["session-1"]}]})";
const std::string kCredential = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250314/eu-west-1/events/aws4_request, ";
const std::string kSessionToken = "FwoGZXIvYXdzEBYaDsession+token/example==";

// Keeps what the sink would send and answers that every entry was put.
class RecordingClient final : public sdk::HttpClient {
public:
  explicit RecordingClient(std::vector<sdk::HttpRequest>& sent) : sent_(sent) {}
  sdk::Result<sdk::HttpResponse> send(const sdk::HttpRequest& request) override {
    sent_.push_back(request);
    return sdk::HttpResponse{200, "OK", {}, R"({"FailedEntryCount":0,"Entries":[{"EventId":"e-1"}]})"};
  }

private:
  std::vector<sdk::HttpRequest>& sent_;
};

class EventBridgeWire : public testing::EventBridgeFixture {
protected:
  // A sink for eu-west-1's public endpoint whose requests are recorded, not sent.
  std::unique_ptr<EventBridgeSink> recordingSink(const std::string& credentials) {
    host_.fixed_now = testing::kNow;
    host_.http_client_factory = [this](const sdk::HttpClientOptions&) {
      return std::make_unique<RecordingClient>(sent_);
    };
    return makeSink(R"({"region":"eu-west-1","credentials":)" + credentials + "}");
  }
  static sdk::CloudEvent gradedEvent() {
    sdk::CloudEvent event = testing::makeEvent(1);
    event.data = sdk::Data::json(R"({"score":87})");
    return event;
  }

  std::vector<sdk::HttpRequest> sent_;
};

TEST_F(EventBridgeWire, PutEventsIsOneSignedJsonPostToTheRegionalEndpoint) {
  auto sink = recordingSink(R"({"access_key_id":"env:CCM_EVENTBRIDGE_TEST_KEY_ID",)"
                            R"("secret_access_key":"env:CCM_EVENTBRIDGE_TEST_SECRET"})");
  ASSERT_EQ(sink->deliver({gradedEvent()}).at(0).kind, Outcome::Kind::Delivered);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].method, "POST");
  EXPECT_EQ(sent_[0].url, "https://events.eu-west-1.amazonaws.com/");
  const sdk::HttpHeaders expected = {
      {"Content-Type", "application/x-amz-json-1.1"},
      {"Host", "events.eu-west-1.amazonaws.com"},
      {"X-Amz-Date", "20250314T092653Z"},
      {"X-Amz-Target", "AWSEvents.PutEvents"},
      {"Authorization", kCredential + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                                      "Signature=226dbc395fa246a147be2a367791b9390e4d4a6853d2c13327c82478c344091e"},
  };
  EXPECT_EQ(sent_[0].headers, expected);
  EXPECT_EQ(sent_[0].body, kBody);
}

TEST_F(EventBridgeWire, TemporaryCredentialsSendAndSignTheSessionToken) {
  ScopedEnv token("CCM_EVENTBRIDGE_TEST_TOKEN", kSessionToken);
  auto sink = recordingSink(R"({"access_key_id":"env:CCM_EVENTBRIDGE_TEST_KEY_ID",)"
                            R"("secret_access_key":"env:CCM_EVENTBRIDGE_TEST_SECRET",)"
                            R"("session_token":"env:CCM_EVENTBRIDGE_TEST_TOKEN"})");
  ASSERT_EQ(sink->deliver({gradedEvent()}).at(0).kind, Outcome::Kind::Delivered);
  ASSERT_EQ(sent_.size(), 1u);
  const sdk::HttpHeaders expected = {
      {"Content-Type", "application/x-amz-json-1.1"},
      {"Host", "events.eu-west-1.amazonaws.com"},
      {"X-Amz-Date", "20250314T092653Z"},
      {"X-Amz-Target", "AWSEvents.PutEvents"},
      {"X-Amz-Security-Token", kSessionToken},
      {"Authorization", kCredential + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
                                      "Signature=947e5026d722905e9ae6d4781fe80dca8a3abbf7aaad61bf76255d92d512427a"},
  };
  EXPECT_EQ(sent_[0].headers, expected);
}

TEST_F(EventBridgeWire, TheServiceVerifiesTheSignatureAndPutsEveryEntry) {
  EventBridgeFake fake;
  const auto outcomes = makeSink(configFor(fake))->deliver(makeEvents(3));
  ASSERT_EQ(outcomes.size(), 3u);
  for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered) << outcome.message;
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(fake.requests()[0].header("Host"), fake.endpoint().substr(7, fake.endpoint().size() - 8));
  EXPECT_EQ(fake.putEntries().size(), 3u);
}

TEST_F(EventBridgeWire, TheServiceVerifiesASignedSessionToken) {
  EventBridgeFake fake(AwsAccount{.session_token = kSessionToken});
  ScopedEnv token("AWS_SESSION_TOKEN", kSessionToken);
  ScopedEnv id("AWS_ACCESS_KEY_ID", AwsAccount{}.access_key_id);
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", AwsAccount{}.secret_access_key);
  const auto outcomes =
      makeSink(R"({"region":"eu-west-1","endpoint":")" + fake.endpoint() + "\"}")->deliver(makeEvents(1));
  EXPECT_EQ(outcomes.at(0).kind, Outcome::Kind::Delivered) << outcomes.at(0).message;
  EXPECT_EQ(fake.requests().at(0).header("X-Amz-Security-Token"), kSessionToken);
}

TEST_F(EventBridgeWire, AWrongSecretIsRefusedAsAwsRefusesItAndIsPermanent) {
  EventBridgeFake fake;
  ScopedEnv secret(testing::kSecretVariable, "not-the-secret");
  const auto outcomes = makeSink(configFor(fake))->deliver(makeEvents(2));
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
    EXPECT_TRUE(outcome.message.starts_with(
        "HTTP 403 Forbidden: InvalidSignatureException: The request signature we calculated does not match the "
        "signature you provided."))
        << outcome.message;
  }
  EXPECT_TRUE(fake.putEntries().empty());
}

TEST_F(EventBridgeWire, AnUnknownAccessKeyIsPermanent) {
  EventBridgeFake fake;
  ScopedEnv id(testing::kKeyIdVariable, "AKIDUNKNOWN");
  const auto outcomes = makeSink(configFor(fake))->deliver(makeEvents(1));
  EXPECT_EQ(outcomes.at(0).kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes.at(0).message,
            "HTTP 403 Forbidden: UnrecognizedClientException: The security token included in the request is invalid.");
}

TEST_F(EventBridgeWire, AClockOutOfStepIsRefusedAsAnExpiredSignature) {
  EventBridgeFake fake;
  host_.fixed_now = testing::kNow;
  fake.clock().set(testing::kNow + std::chrono::minutes(6));
  const auto outcomes = makeSink(configFor(fake))->deliver(makeEvents(1));
  EXPECT_EQ(outcomes.at(0).kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes.at(0).message,
            "HTTP 400 Bad Request: InvalidSignatureException: Signature expired: 20250314T092653Z is now earlier "
            "than 20250314T092753Z (20250314T093253Z - 5 min.)");
}

TEST_F(EventBridgeWire, ARequestSignedForAnotherRegionIsRefused) {
  EventBridgeFake fake(AwsAccount{.region = "us-east-1"});
  const auto outcomes = makeSink(configFor(fake))->deliver(makeEvents(1));
  EXPECT_EQ(outcomes.at(0).message,
            "HTTP 400 Bad Request: InvalidSignatureException: Credential should be scoped to a valid region.");
}

TEST_F(EventBridgeWire, CountsRequestsByStatus) {
  EventBridgeFake fake;
  auto sink = makeSink(configFor(fake));
  sink->deliver(makeEvents(1));
  EXPECT_EQ(host_.metricValue("eventbridge_sink_requests_total", {{"status", "200"}}), 1);
  EXPECT_EQ(host_.metricValue("eventbridge_sink_request_seconds_count"), 1);
}

}  // namespace
}  // namespace ccm::sinks::eventbridge
