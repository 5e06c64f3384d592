#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <string>

#include "pubsub_message.hpp"
#include "pubsub_test_support.hpp"

namespace ccm::sinks::pubsub {
namespace {

using namespace std::chrono_literals;
using fakes::PubSubFake;
using fakes::Reply;
using sdk::Outcome;
using testing::makeEvent;
using testing::makeEvents;

struct StatusCase {
  int code;
  std::string status;
  std::string reason;  // the HTTP reason phrase the fake's Poco server sends ("???" for 499, which it does not know)
  Outcome::Kind kind;
};

void PrintTo(const StatusCase& c, std::ostream* out) {
  *out << c.status;
}

class PubSubStatusOutcome : public testing::PubSubFixture, public ::testing::WithParamInterface<StatusCase> {};

TEST_P(PubSubStatusOutcome, EveryMessageOfTheRequestGetsTheStatussOutcome) {
  const StatusCase& c = GetParam();
  fake_.scriptPublish(PubSubFake::rpcError(c.code, c.status, "What Google says."));
  const auto outcomes = deliver(config(), makeEvents(3));
  ASSERT_EQ(outcomes.size(), 3u);
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, c.kind);
    EXPECT_EQ(outcome.message,
              "HTTP " + std::to_string(c.code) + " " + c.reason + ": " + c.status + ": What Google says.");
  }
}

INSTANTIATE_TEST_SUITE_P(
    GoogleRpcStatus, PubSubStatusOutcome,
    ::testing::Values(StatusCase{400, "INVALID_ARGUMENT", "Bad Request", Outcome::Kind::Permanent},
                      StatusCase{400, "FAILED_PRECONDITION", "Bad Request", Outcome::Kind::Permanent},
                      StatusCase{403, "PERMISSION_DENIED", "Forbidden", Outcome::Kind::Permanent},
                      StatusCase{404, "NOT_FOUND", "Not Found", Outcome::Kind::Permanent},
                      StatusCase{501, "UNIMPLEMENTED", "Not Implemented", Outcome::Kind::Permanent},
                      StatusCase{409, "ABORTED", "Conflict", Outcome::Kind::Retryable},
                      StatusCase{499, "CANCELLED", "???", Outcome::Kind::Retryable},
                      StatusCase{429, "RESOURCE_EXHAUSTED", "Too Many Requests", Outcome::Kind::Retryable},
                      StatusCase{500, "INTERNAL", "Internal Server Error", Outcome::Kind::Retryable},
                      StatusCase{500, "UNKNOWN", "Internal Server Error", Outcome::Kind::Retryable},
                      StatusCase{503, "UNAVAILABLE", "Service Unavailable", Outcome::Kind::Retryable},
                      StatusCase{504, "DEADLINE_EXCEEDED", "Gateway Time-Out", Outcome::Kind::Retryable}),
    [](const auto& info) { return info.param.status; });

class PubSubOutcome : public testing::PubSubFixture {};

TEST_F(PubSubOutcome, AnUnknownTopicIsPermanentWithGooglesNotFound) {
  const auto outcomes = deliver(config().replace(config().find("lab-events"), 10, "lab-events-old"), makeEvents(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes[0].message, "HTTP 404 Not Found: NOT_FOUND: Resource not found (resource=lab-events-old).");
}

TEST_F(PubSubOutcome, ResourceExhaustedCarriesItsRetryAfter) {
  fake_.scriptPublish(PubSubFake::rpcError(429, "RESOURCE_EXHAUSTED", "Quota exceeded.", {{"Retry-After", "30"}}));
  const auto outcomes = deliver(config(), makeEvents(2));
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
    EXPECT_EQ(outcome.retry_after, std::chrono::milliseconds(30s));
  }
}

TEST_F(PubSubOutcome, AnAnswerWithoutAStatusFallsBackToTheHttpStatus) {
  fake_.scriptPublish(Reply{.status = 502, .body = "<html>upstream down</html>"});
  fake_.scriptPublish(Reply{.status = 400, .body = "<html>bad</html>"});
  auto sink = makeSink(config());
  const Outcome bad_gateway = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(bad_gateway.kind, Outcome::Kind::Retryable);
  EXPECT_EQ(bad_gateway.message, "HTTP 502 Bad Gateway: <html>upstream down</html>");
  const Outcome bad_request = sink->deliver({makeEvent(2)}).at(0);
  EXPECT_EQ(bad_request.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(bad_request.message, "HTTP 400 Bad Request: <html>bad</html>");
}

TEST_F(PubSubOutcome, ATwoHundredWithoutOneIdPerMessageIsRetryable) {
  fake_.scriptPublish(Reply{.status = 200, .body = R"({"messageIds":["1"]})"});
  const auto outcomes = deliver(config(), makeEvents(2));
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
    EXPECT_EQ(outcome.message, R"(publish answered HTTP 200 without one message ID per message: {"messageIds":["1"]})");
  }
}

TEST_F(PubSubOutcome, AnUnreachableServiceIsRetryable) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(socket.address().port());
  socket.close();
  const auto outcomes =
      deliver(R"({"project":"ccm-labs","topic":"lab-events","endpoint":")" + endpoint + R"(","credentials":)" +
                  R"({"type":"service_account","key":"env:)" + std::string(testing::kKeyVariable) + "\"}}",
              makeEvents(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable);
  // The key's token_uri is the fake's, so the token comes; the publish cannot connect.
  EXPECT_NE(outcomes[0].message.find("cannot connect"), std::string::npos) << outcomes[0].message;
}

TEST(PubSubPublishOutcome, ReadsGoogleRpcStatusAndNothingElse) {
  const auto now = testing::kNow;
  EXPECT_EQ(publishOutcome(sdk::HttpResponse{200, "OK", {}, R"({"messageIds":["1","2"]})"}, 2, now).kind,
            Outcome::Kind::Delivered);
  EXPECT_EQ(publishOutcome(sdk::HttpResponse{200, "OK", {}, "not json"}, 1, now).kind, Outcome::Kind::Retryable);
  // A status Google's libraries do not retry stays permanent whatever its HTTP code.
  const Outcome data_loss = publishOutcome(
      sdk::HttpResponse{
          500, "Internal Server Error", {}, R"({"error":{"code":500,"message":"Lost.","status":"DATA_LOSS"}})"},
      1, now);
  EXPECT_EQ(data_loss.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(data_loss.message, "HTTP 500 Internal Server Error: DATA_LOSS: Lost.");
}

}  // namespace
}  // namespace ccm::sinks::pubsub
