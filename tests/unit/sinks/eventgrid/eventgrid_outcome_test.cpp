#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "eventgrid_response.hpp"
#include "eventgrid_test_support.hpp"
#include "fakes/event_grid_fake.hpp"

namespace ccm::sinks::eventgrid {
namespace {

using namespace std::chrono_literals;
using fakes::EventGridFake;
using fakes::EventGridTopic;
using fakes::Reply;
using sdk::Outcome;
using testing::kKeyVariable;
using testing::makeEvents;
using testing::ScopedEnv;

// One documented answer of the publish API and what every event of the request gets.
struct Case {
  int status;
  std::string code;
  std::string message;
  Outcome::Kind kind;
};

void PrintTo(const Case& c, std::ostream* out) {
  *out << c.status << " " << c.code;
}

class EventGridOutcome : public testing::EventGridFixture, public ::testing::WithParamInterface<Case> {
protected:
  ScopedEnv key_{kKeyVariable, EventGridTopic{}.access_key};
};

TEST_P(EventGridOutcome, EveryEventOfTheRequestSharesTheMappedOutcomeWithAzuresMessage) {
  EventGridFake fake(EventGridTopic{.type = EventGridTopic::Type::Namespace});
  const Case& c = GetParam();
  fake.script(EventGridFake::azureError(c.status, c.code, c.message));
  const auto outcomes = makeSink(testing::configFor(fake, true, testing::accessKeyAuth()))->deliver(makeEvents(3));
  ASSERT_EQ(outcomes.size(), 3u);
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, c.kind) << outcome.message;
    EXPECT_TRUE(outcome.message.starts_with("HTTP " + std::to_string(c.status))) << outcome.message;
    EXPECT_TRUE(outcome.message.ends_with(": " + c.code + ": " + c.message)) << outcome.message;
  }
}

// The namespace topic publish API's documented answers, and the rest of the mapping.
INSTANTIATE_TEST_SUITE_P(
    Documented, EventGridOutcome,
    ::testing::Values(Case{400, "BadRequest", "The event is missing id.", Outcome::Kind::Permanent},
                      Case{401, "Unauthorized", "The key is not valid.", Outcome::Kind::Permanent},
                      Case{403, "Forbidden", "Publish quota exceeded for the namespace.", Outcome::Kind::Retryable},
                      Case{403, "QuotaExceeded", "Throughput units exhausted.", Outcome::Kind::Retryable},
                      Case{403, "Forbidden", "The message is too large.", Outcome::Kind::Permanent},
                      Case{404, "NotFound", "No such topic.", Outcome::Kind::Permanent},
                      Case{410, "TopicNotFound", "The topic was deleted.", Outcome::Kind::Permanent},
                      Case{413, "RequestEntityTooLarge", "Over 1 MB.", Outcome::Kind::Permanent},
                      Case{429, "TooManyRequests", "Slow down.", Outcome::Kind::Retryable},
                      Case{500, "InternalServerError", "Something broke.", Outcome::Kind::Retryable},
                      Case{503, "ServiceUnavailable", "Try later.", Outcome::Kind::Retryable}));

class EventGridTransport : public testing::EventGridFixture {
protected:
  ScopedEnv key_{kKeyVariable, EventGridTopic{}.access_key};
};

TEST_F(EventGridTransport, A429CarriesItsRetryAfter) {
  EventGridFake fake;
  fake.script(EventGridFake::azureError(429, "TooManyRequests", "Slow down.", {{"Retry-After", "30"}}));
  const auto outcomes = makeSink(testing::configFor(fake, false, testing::accessKeyAuth()))->deliver(makeEvents(2));
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
    EXPECT_EQ(outcome.retry_after, std::chrono::milliseconds(30s));
  }
}

TEST_F(EventGridTransport, AnUnreachableServiceIsRetryable) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(socket.address().port());
  socket.close();
  const auto outcomes =
      makeSink(R"({"endpoint":")" + endpoint + R"(","auth":)" + testing::accessKeyAuth() + "}")->deliver(makeEvents(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable);
  EXPECT_NE(outcomes[0].message.find("cannot connect"), std::string::npos) << outcomes[0].message;
}

TEST(EventGridResponse, AnErrorBodyOfAnotherShapeIsQuotedAsIs) {
  const sdk::HttpResponse response{502, "Bad Gateway", {}, "<html>upstream down</html>"};
  const Outcome outcome = publishOutcome(response, testing::kNow);
  EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcome.message, "HTTP 502 Bad Gateway: <html>upstream down</html>");
}

TEST(EventGridResponse, ReadsAzuresErrorCodeAndMessage) {
  EXPECT_EQ(azureErrorDetail(R"({"error":{"code":"BadRequest","message":"Missing id.","details":[]}})"),
            "BadRequest: Missing id.");
  EXPECT_EQ(azureErrorDetail(R"({"error":"plain"})"), R"({"error":"plain"})");
  EXPECT_EQ(azureErrorDetail(""), "");
}

TEST(EventGridResponse, AnyTwoHundredIsDelivered) {
  EXPECT_EQ(publishOutcome(sdk::HttpResponse{200, "OK", {}, "{}"}, testing::kNow).kind, Outcome::Kind::Delivered);
  EXPECT_EQ(publishOutcome(sdk::HttpResponse{200, "OK", {}, ""}, testing::kNow).kind, Outcome::Kind::Delivered);
}

}  // namespace
}  // namespace ccm::sinks::eventgrid
