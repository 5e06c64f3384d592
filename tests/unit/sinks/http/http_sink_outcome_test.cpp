#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "fakes/cloudevents_receiver.hpp"
#include "http_sink_test_support.hpp"

namespace ccm::sinks::http {
namespace {

using namespace std::chrono_literals;
using fakes::Reply;
using sdk::Outcome;
using testing::makeEvents;

class HttpSinkOutcome : public testing::HttpSinkFixture {
protected:
  std::unique_ptr<HttpSink> sinkFor(const std::string& mode = "binary") {
    return makeSink(R"({"url":")" + receiver_.url() + R"(","mode":")" + mode + "\"}");
  }
  Outcome deliverOneAgainst(Reply reply) {
    receiver_.script(std::move(reply));
    const auto outcomes = sinkFor()->deliver(makeEvents(1));
    EXPECT_EQ(outcomes.size(), 1u);
    return outcomes.empty() ? Outcome{} : outcomes[0];
  }

  fakes::CloudEventsReceiver receiver_;
};

class HttpSinkStatus : public HttpSinkOutcome, public ::testing::WithParamInterface<int> {};

TEST_P(HttpSinkStatus, MapsTheStatusToTheDocumentedOutcome) {
  const int status = GetParam();
  const Outcome outcome = deliverOneAgainst(Reply{.status = status, .body = "receiver says no"});
  EXPECT_EQ(outcome.http_status, status) << "the attempt log shows it";
  if (status < 300) {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered) << outcome.message;
  } else if (status == 408 || status == 429 || status >= 500) {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
    EXPECT_EQ(outcome.message.rfind("HTTP " + std::to_string(status), 0), 0u) << outcome.message;
  } else {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
    EXPECT_EQ(outcome.message.rfind("HTTP " + std::to_string(status), 0), 0u) << outcome.message;
  }
}

INSTANTIATE_TEST_SUITE_P(Statuses, HttpSinkStatus,
                         ::testing::Values(200, 201, 202, 204, 301, 400, 401, 403, 404, 409, 413, 415, 408, 429, 500,
                                           502, 503, 504));

TEST_F(HttpSinkOutcome, PermanentMessageHasTheStatusAndTheFirst512BytesOfTheBody) {
  const std::string body = std::string(512, 'a') + "TAIL";
  const Outcome outcome = deliverOneAgainst(Reply{.status = 422, .body = body});
  EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcome.message, "HTTP 422 Unprocessable Entity: " + std::string(512, 'a'));
}

TEST_F(HttpSinkOutcome, ADroppedConnectionIsRetryableWithoutAStatus) {
  const Outcome outcome = deliverOneAgainst(Reply{.drop_connection = true});
  EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcome.http_status, std::nullopt) << outcome.message;
}

TEST_F(HttpSinkOutcome, RetryAfterInDeltaSecondsIsReported) {
  const Outcome outcome = deliverOneAgainst(Reply{.status = 503, .headers = {{"Retry-After", "120"}}});
  EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcome.retry_after, std::chrono::milliseconds(120s));
}

TEST_F(HttpSinkOutcome, RetryAfterAsAnHttpDateIsReportedRelativeToTheHostClock) {
  host_.fixed_now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  const Outcome outcome =
      deliverOneAgainst(Reply{.status = 429, .headers = {{"Retry-After", "Sun, 06 Nov 1994 08:51:07 GMT"}}});
  EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcome.retry_after, std::chrono::milliseconds(90s));
}

TEST_F(HttpSinkOutcome, PermanentFailureDoesNotStopTheRestOfTheBatch) {
  receiver_.script(Reply{.status = 200});
  receiver_.script(Reply{.status = 400, .body = "bad event"});
  receiver_.script(Reply{.status = 202});
  const auto outcomes = sinkFor()->deliver(makeEvents(3));
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(outcomes[1].kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes[1].message, "HTTP 400 Bad Request: bad event");
  EXPECT_EQ(outcomes[2].kind, Outcome::Kind::Delivered);
  const auto requests = receiver_.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(requests[i].header("ce-id"), "evt-" + std::to_string(i + 1));
}

TEST_F(HttpSinkOutcome, RetryableFailureStopsTheBatchSoOrderIsKept) {
  receiver_.script(Reply{.status = 200});
  receiver_.script(Reply{.status = 503, .headers = {{"Retry-After", "5"}}, .body = "busy"});
  const auto outcomes = sinkFor()->deliver(makeEvents(4));
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(outcomes[1].kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes[1].message, "HTTP 503 Service Unavailable: busy");
  for (std::size_t i = 2; i < 4; ++i) {
    EXPECT_EQ(outcomes[i].kind, Outcome::Kind::Retryable);
    EXPECT_EQ(outcomes[i].message, "not attempted: an earlier event of this batch failed");
    EXPECT_EQ(outcomes[i].retry_after, std::chrono::milliseconds(5s));
  }
  EXPECT_EQ(receiver_.requests().size(), 2u);
}

TEST_F(HttpSinkOutcome, StructuredModeAlsoStopsAtARetryableFailure) {
  receiver_.script(Reply{.status = 500});
  const auto outcomes = sinkFor("structured")->deliver(makeEvents(2));
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes[1].message, "not attempted: an earlier event of this batch failed");
  EXPECT_EQ(receiver_.requests().size(), 1u);
}

TEST_F(HttpSinkOutcome, BatchModeGivesEveryEventTheOutcomeOfTheOneRequest) {
  receiver_.script(Reply{.status = 429, .headers = {{"Retry-After", "3"}}});
  const auto outcomes = sinkFor("batch")->deliver(makeEvents(3));
  ASSERT_EQ(outcomes.size(), 3u);
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
    EXPECT_EQ(outcome.message, "HTTP 429 Too Many Requests");
    EXPECT_EQ(outcome.retry_after, std::chrono::milliseconds(3s));
  }
  EXPECT_EQ(receiver_.requests().size(), 1u);
}

TEST_F(HttpSinkOutcome, EmptyBatchSendsNothing) {
  EXPECT_TRUE(sinkFor()->deliver({}).empty());
  EXPECT_TRUE(sinkFor("batch")->deliver({}).empty());
  EXPECT_TRUE(receiver_.requests().empty());
}

TEST_F(HttpSinkOutcome, CountsRequestsByStatusAndTimesEachOne) {
  receiver_.script(Reply{.status = 200});
  receiver_.script(Reply{.status = 404});
  receiver_.script(Reply{.status = 200});
  const auto outcomes = sinkFor()->deliver(makeEvents(3));
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(host_.metricValue("http_sink_requests_total", {{"status", "200"}}), 2);
  EXPECT_EQ(host_.metricValue("http_sink_requests_total", {{"status", "404"}}), 1);
  EXPECT_EQ(host_.metricValue("http_sink_request_seconds_count"), 3);
  EXPECT_GT(host_.metricValue("http_sink_request_seconds_sum"), 0);
}

}  // namespace
}  // namespace ccm::sinks::http
