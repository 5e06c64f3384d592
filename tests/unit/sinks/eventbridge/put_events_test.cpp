#include "put_events.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <variant>

#include "ccm/sdk/codec.hpp"
#include "eventbridge_test_support.hpp"

namespace ccm::sinks::eventbridge {
namespace {

using namespace std::chrono_literals;
using sdk::Outcome;
using testing::makeEvent;

common::Entry entryOf(const sdk::CloudEvent& event, const EntryMapping& mapping = {}) {
  auto prepared = toEntry(event, mapping);
  EXPECT_TRUE(std::holds_alternative<common::Entry>(prepared));
  return std::holds_alternative<common::Entry>(prepared) ? std::get<common::Entry>(prepared) : common::Entry{};
}

Outcome refusalOf(const sdk::CloudEvent& event, const EntryMapping& mapping = {}) {
  auto prepared = toEntry(event, mapping);
  EXPECT_TRUE(std::holds_alternative<Outcome>(prepared));
  return std::holds_alternative<Outcome>(prepared) ? std::get<Outcome>(prepared) : Outcome{};
}

TEST(EventBridgePutEvents, TheDefaultMappingPutsTheWholeEventInDetail) {
  const sdk::CloudEvent event = makeEvent(1);
  const common::Entry entry = entryOf(event);
  rapidjson::Document json;
  json.Parse(entry.encoded);
  EXPECT_STREQ(json["Source"].GetString(), "urn:ccm-gateway:lab-7");
  EXPECT_STREQ(json["DetailType"].GetString(), "ccm.lablet.session.graded");
  EXPECT_EQ(std::string(json["Detail"].GetString()), sdk::toStructured(event));
  EXPECT_EQ(json["Time"].GetInt64(), 1741944413);
  EXPECT_STREQ(json["Resources"][0].GetString(), "session-1");
  EXPECT_FALSE(json.HasMember("EventBusName"));
}

TEST(EventBridgePutEvents, TheMappingCanFixSourceAndBusAndTakeOnlyTheData) {
  const EntryMapping mapping{.source = "com.example.labs",
                             .detail = DetailSource::Data,
                             .resources_from_subject = false,
                             .event_bus_name = "lab-bus"};
  EXPECT_EQ(entryOf(makeEvent(2), mapping).encoded,
            R"({"Source":"com.example.labs","DetailType":"ccm.lablet.session.graded","Detail":"{\"score\":2}",)"
            R"("EventBusName":"lab-bus","Time":1741944413})");
}

TEST(EventBridgePutEvents, AnEventWithoutTimeOrSubjectLeavesThemOut) {
  sdk::CloudEvent event = makeEvent(3);
  event.time.reset();
  event.subject.reset();
  const std::string entry = entryOf(event).encoded;
  EXPECT_EQ(entry.find("\"Time\""), std::string::npos);
  EXPECT_EQ(entry.find("\"Resources\""), std::string::npos);
}

TEST(EventBridgePutEvents, TimeBecomesEpochSecondsWithMilliseconds) {
  const auto timeOf = [](const std::string& time) {
    sdk::CloudEvent event = makeEvent(1);
    event.time = time;
    rapidjson::Document json;
    json.Parse(entryOf(event).encoded);
    return std::string(json["Time"].IsInt64() ? std::to_string(json["Time"].GetInt64())
                                              : std::to_string(json["Time"].GetDouble()));
  };
  EXPECT_EQ(timeOf("2025-03-14T09:26:53Z"), "1741944413");
  EXPECT_EQ(timeOf("2025-03-14T10:26:53+01:00"), "1741944413");
  EXPECT_EQ(timeOf("2025-03-14T04:26:53-05:00"), "1741944413");
  EXPECT_EQ(timeOf("2025-03-14T09:26:53.1259Z"), "1741944413.125000");
}

TEST(EventBridgePutEvents, SizeIsCountedTheWayAwsCountsIt) {
  const sdk::CloudEvent event = makeEvent(1);
  const std::size_t expected =
      14 + event.source.size() + event.type.size() + sdk::toStructured(event).size() + event.subject->size();
  EXPECT_EQ(entryOf(event).bytes, expected);
  EXPECT_EQ(entryOf(event, EntryMapping{.event_bus_name = "a-very-long-bus-name"}).bytes, expected);
}

TEST(EventBridgePutEvents, AnEntryOverTwoHundredFiftySixKilobytesIsPermanent) {
  sdk::CloudEvent event = makeEvent(1);
  event.time.reset();
  event.subject.reset();
  const EntryMapping data_only{.detail = DetailSource::Data};
  // Source and DetailType are 46 bytes; Detail makes up the rest.
  event.data = sdk::Data::json(R"({"x":")" + std::string(kMaxEntriesBytes - 46 - 8, 'a') + "\"}");
  EXPECT_EQ(entryOf(event, data_only).bytes, kMaxEntriesBytes);
  event.data = sdk::Data::json(R"({"x":")" + std::string(kMaxEntriesBytes - 46 - 7, 'a') + "\"}");
  const Outcome outcome = refusalOf(event, data_only);
  EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcome.message, "PutEvents entry is 262145 bytes as AWS counts entry size; the limit is 262144 (256 KB)");
}

TEST(EventBridgePutEvents, DataDetailNeedsJsonObjectData) {
  sdk::CloudEvent event = makeEvent(1);
  event.data = sdk::Data::text("plain words");
  const Outcome outcome = refusalOf(event, EntryMapping{.detail = DetailSource::Data});
  EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcome.message,
            "detail \"data\" needs the event's data to be a JSON object (EventBridge's Detail is one); event evt-1 "
            "has none");
  event.data = sdk::Data::json("[1,2]");
  EXPECT_EQ(refusalOf(event, EntryMapping{.detail = DetailSource::Data}).kind, Outcome::Kind::Permanent);
}

TEST(EventBridgePutEvents, TheBodyListsTheEntries) {
  const std::vector<common::Entry> entries = {{R"({"a":1})", 1}, {R"({"b":2})", 1}};
  EXPECT_EQ(putEventsBody(entries), R"({"Entries":[{"a":1},{"b":2}]})");
}

sdk::HttpResponse response(int status, std::string body, sdk::HttpHeaders headers = {}) {
  return {status, "", std::move(headers), std::move(body)};
}

TEST(EventBridgePutEvents, EachEntrysResultGoesToItsEventByPosition) {
  const auto outcomes =
      putEventsOutcomes(response(200, R"({"FailedEntryCount":3,"Entries":[{"EventId":"a"},)"
                                      R"({"ErrorCode":"ThrottlingException","ErrorMessage":"Rate exceeded"},)"
                                      R"({"ErrorCode":"InternalFailure","ErrorMessage":"Try again"},)"
                                      R"({"ErrorCode":"MalformedDetail","ErrorMessage":"Detail is malformed."}]})"),
                        4, testing::kNow);
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(outcomes[1].kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes[1].message, "PutEvents entry failed: ThrottlingException: Rate exceeded");
  EXPECT_EQ(outcomes[2].kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes[3].kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes[3].message, "PutEvents entry failed: MalformedDetail: Detail is malformed.");
}

TEST(EventBridgePutEvents, AnAnswerWithoutOneResultPerEntryLeavesEveryEntryRetryable) {
  for (const char* body : {"", "{}", R"({"Entries":[{"EventId":"a"}]})", "not json"}) {
    const auto outcomes = putEventsOutcomes(response(200, body), 2, testing::kNow);
    ASSERT_EQ(outcomes.size(), 2u);
    for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable) << body;
  }
}

TEST(EventBridgePutEvents, ThrottlingIsRetryableThoughAwsAnswersIt400) {
  const auto outcomes = putEventsOutcomes(
      response(400, R"({"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"})"), 2,
      testing::kNow);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes[0].message, "HTTP 400: ThrottlingException: Rate exceeded");
}

TEST(EventBridgePutEvents, OtherClientErrorsArePermanentAndServerErrorsRetryable) {
  EXPECT_EQ(putEventsOutcomes(response(400, R"({"__type":"ValidationException","message":"bad"})"), 1, testing::kNow)
                .at(0)
                .message,
            "HTTP 400: ValidationException: bad");
  EXPECT_EQ(putEventsOutcomes(response(400, R"({"__type":"AccessDeniedException","Message":"no"})"), 1, testing::kNow)
                .at(0)
                .kind,
            Outcome::Kind::Permanent);
  EXPECT_EQ(putEventsOutcomes(response(500, R"({"__type":"InternalException"})"), 1, testing::kNow).at(0).kind,
            Outcome::Kind::Retryable);
  const auto unavailable = putEventsOutcomes(response(503, "", {{"Retry-After", "2"}}), 1, testing::kNow).at(0);
  EXPECT_EQ(unavailable.kind, Outcome::Kind::Retryable);
  EXPECT_EQ(unavailable.retry_after, std::chrono::milliseconds(2s));
}

TEST(EventBridgePutEvents, TheErrorTypeMayComeInTheHeader) {
  const auto outcomes = putEventsOutcomes(
      response(400, "", {{"X-Amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/"}}), 1,
      testing::kNow);
  EXPECT_EQ(outcomes.at(0).kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes.at(0).message, "HTTP 400: ThrottlingException");
}

TEST(EventBridgePutEvents, TransportFailuresAreRetryable) {
  const auto outcomes = putEventsOutcomes(sdk::Error{"timeout", "timed out"}, 3, testing::kNow);
  ASSERT_EQ(outcomes.size(), 3u);
  for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
}

}  // namespace
}  // namespace ccm::sinks::eventbridge
