#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <variant>
#include <vector>

#include "eventbridge_test_support.hpp"
#include "fakes/eventbridge_fake.hpp"
#include "put_events.hpp"

namespace ccm::sinks::eventbridge {
namespace {

using fakes::EntryFailure;
using fakes::EntryResults;
using fakes::EventBridgeFake;
using sdk::Outcome;
using testing::configFor;
using testing::makeEvents;

// An event whose entry counts exactly `bytes` as AWS measures entry size.
sdk::CloudEvent eventOfEntrySize(int n, std::size_t bytes) {
  sdk::CloudEvent event = testing::makeEvent(n);
  event.data = sdk::Data::json("\"\"");
  const std::size_t base = std::get<common::Entry>(toEntry(event, {})).bytes;
  event.data = sdk::Data::json("\"" + std::string(bytes - base, 'x') + "\"");
  return event;
}

class EventBridgeBatching : public testing::EventBridgeFixture {
protected:
  static std::vector<std::size_t> entriesPerRequest(const EventBridgeFake& fake) {
    std::vector<std::size_t> counts;
    for (const auto& request : fake.requests()) {
      rapidjson::Document body;
      body.Parse(request.body);
      counts.push_back(body["Entries"].Size());
    }
    return counts;
  }
  static void expectDelivered(const std::vector<Outcome>& outcomes) {
    for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered) << outcome.message;
  }
};

TEST_F(EventBridgeBatching, SendsAtMostTenEntriesARequest) {
  EventBridgeFake fake;
  expectDelivered(makeSink(configFor(fake))->deliver(makeEvents(25)));
  EXPECT_EQ(entriesPerRequest(fake), (std::vector<std::size_t>{10, 10, 5}));
  EXPECT_EQ(fake.putEntries().size(), 25u);
}

TEST_F(EventBridgeBatching, FillsARequestToExactly256Kilobytes) {
  EventBridgeFake fake;
  const std::vector<sdk::CloudEvent> events = {eventOfEntrySize(1, 131072), eventOfEntrySize(2, 131072),
                                               testing::makeEvent(3)};
  expectDelivered(makeSink(configFor(fake))->deliver(events));
  EXPECT_EQ(entriesPerRequest(fake), (std::vector<std::size_t>{2, 1}));
}

TEST_F(EventBridgeBatching, SplitsSoThatNoRequestGoesOver256Kilobytes) {
  EventBridgeFake fake;
  std::vector<sdk::CloudEvent> events;
  for (int n = 1; n <= 5; ++n) events.push_back(eventOfEntrySize(n, 100000));
  expectDelivered(makeSink(configFor(fake))->deliver(events));
  EXPECT_EQ(entriesPerRequest(fake), (std::vector<std::size_t>{2, 2, 1}));
}

TEST_F(EventBridgeBatching, AnEntryOverTheLimitIsPermanentAndTheOthersGo) {
  EventBridgeFake fake;
  const std::vector<sdk::CloudEvent> events = {testing::makeEvent(1), eventOfEntrySize(2, 262145),
                                               testing::makeEvent(3)};
  const auto outcomes = makeSink(configFor(fake))->deliver(events);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(outcomes[1].kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes[1].message,
            "PutEvents entry is 262145 bytes as AWS counts entry size; the limit is 262144 (256 KB)");
  EXPECT_EQ(outcomes[2].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(entriesPerRequest(fake), (std::vector<std::size_t>{2}));
}

TEST_F(EventBridgeBatching, APartialFailureMapsEachFailedEntryToItsEvent) {
  EventBridgeFake fake;
  fake.script(EntryResults{std::nullopt, EntryFailure{"ThrottlingException", "Rate exceeded"}, std::nullopt,
                           EntryFailure{"NotAuthorizedForSourceException", "Not authorized for the source."}});
  const auto outcomes = makeSink(configFor(fake))->deliver(makeEvents(4));
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(outcomes[1].kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes[1].message, "PutEvents entry failed: ThrottlingException: Rate exceeded");
  EXPECT_EQ(outcomes[2].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(outcomes[3].kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes[3].message,
            "PutEvents entry failed: NotAuthorizedForSourceException: Not authorized for the source.");
  EXPECT_EQ(fake.putEntries().size(), 2u);
}

TEST_F(EventBridgeBatching, ARetryableEntryLeavesTheLaterRequestsUnsent) {
  EventBridgeFake fake;
  EntryResults results(10);
  results[3] = EntryFailure{"InternalFailure", "Try again."};
  fake.script(results);
  const auto outcomes = makeSink(configFor(fake))->deliver(makeEvents(15));
  ASSERT_EQ(outcomes.size(), 15u);
  EXPECT_EQ(outcomes[3].kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes[9].kind, Outcome::Kind::Delivered);
  for (std::size_t i = 10; i < 15; ++i) {
    EXPECT_EQ(outcomes[i].kind, Outcome::Kind::Retryable);
    EXPECT_EQ(outcomes[i].message, "not attempted: an earlier request of this batch failed");
  }
  EXPECT_EQ(fake.requests().size(), 1u);
}

TEST_F(EventBridgeBatching, AThrottledRequestIsRetryableForEveryEntry) {
  EventBridgeFake fake;
  fake.script(EventBridgeFake::awsError(400, "ThrottlingException", "Rate exceeded"));
  const auto outcomes = makeSink(configFor(fake))->deliver(makeEvents(3));
  ASSERT_EQ(outcomes.size(), 3u);
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
    EXPECT_EQ(outcome.message, "HTTP 400 Bad Request: ThrottlingException: Rate exceeded");
  }
}

TEST_F(EventBridgeBatching, AnInternalErrorIsRetryable) {
  EventBridgeFake fake;
  fake.script(EventBridgeFake::awsError(500, "InternalException", "Internal error."));
  EXPECT_EQ(makeSink(configFor(fake))->deliver(makeEvents(1)).at(0).kind, Outcome::Kind::Retryable);
}

TEST_F(EventBridgeBatching, AnEmptyBatchSendsNothing) {
  EventBridgeFake fake;
  EXPECT_TRUE(makeSink(configFor(fake))->deliver({}).empty());
  EXPECT_TRUE(fake.requests().empty());
}

}  // namespace
}  // namespace ccm::sinks::eventbridge
