#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ccm/sdk/codec.hpp"
#include "eventgrid_test_support.hpp"
#include "fakes/event_grid_fake.hpp"

namespace ccm::sinks::eventgrid {
namespace {

using fakes::EventGridFake;
using fakes::EventGridTopic;
using sdk::Outcome;
using testing::eventOfSize;
using testing::kKeyVariable;
using testing::ScopedEnv;

constexpr std::size_t kMegabyte = 1024 * 1024;

class EventGridBatching : public testing::EventGridFixture {
protected:
  std::vector<Outcome> deliverTo(EventGridFake& fake, bool is_namespace, const std::vector<sdk::CloudEvent>& events) {
    return makeSink(testing::configFor(fake, is_namespace, testing::accessKeyAuth()))->deliver(events);
  }
  static std::vector<sdk::CloudEvent> eventsOfSize(int count, std::size_t bytes) {
    std::vector<sdk::CloudEvent> events;
    for (int n = 1; n <= count; ++n) events.push_back(eventOfSize(n, bytes));
    return events;
  }
  static std::vector<std::size_t> eventsPerRequest(const EventGridFake& fake) {
    std::vector<std::size_t> counts;
    for (const auto& request : fake.requests()) counts.push_back(sdk::parseBatch(request.body).value().size());
    return counts;
  }

  ScopedEnv key_{kKeyVariable, EventGridTopic{}.access_key};
};

TEST_F(EventGridBatching, SplitsABatchSoThatNoRequestExceedsOneMegabyte) {
  EventGridFake fake;
  const auto events = eventsOfSize(5, 300000);
  const auto outcomes = deliverTo(fake, false, events);
  for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered) << outcome.message;
  EXPECT_EQ(eventsPerRequest(fake), (std::vector<std::size_t>{3, 2}));
  std::vector<sdk::CloudEvent> published;
  for (const auto& batch : fake.published()) published.insert(published.end(), batch.begin(), batch.end());
  EXPECT_EQ(published, events);
}

TEST_F(EventGridBatching, FillsARequestToExactlyOneMegabyte) {
  EventGridFake fake;
  // "[" + 3 events of 349,524 bytes + 2 commas + "]" is 1,048,576 bytes.
  auto events = eventsOfSize(3, 349524);
  events.push_back(testing::makeEvent(4));
  for (const auto& outcome : deliverTo(fake, false, events)) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered);
  const auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body.size(), kMegabyte);
  EXPECT_EQ(eventsPerRequest(fake), (std::vector<std::size_t>{3, 1}));
}

TEST_F(EventGridBatching, AnEventAsLargeAsARequestAllowsGoesAlone) {
  EventGridFake fake(EventGridTopic{.type = EventGridTopic::Type::Namespace});
  const auto events = std::vector<sdk::CloudEvent>{testing::makeEvent(1), eventOfSize(2, kMegabyte - 2)};
  for (const auto& outcome : deliverTo(fake, true, events)) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered);
  EXPECT_EQ(eventsPerRequest(fake), (std::vector<std::size_t>{1, 1}));
  EXPECT_EQ(fake.requests()[1].body.size(), kMegabyte);
}

TEST_F(EventGridBatching, AnEventOverTheLimitIsPermanentAndTheOthersStillGo) {
  EventGridFake fake;
  const auto events =
      std::vector<sdk::CloudEvent>{testing::makeEvent(1), eventOfSize(2, kMegabyte - 1), testing::makeEvent(3)};
  const auto outcomes = deliverTo(fake, false, events);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(outcomes[1].kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes[1].message,
            "event is 1048575 bytes as CloudEvents JSON; Event Grid takes at most 1048574 (1 MB per event and per "
            "request, less the batch's brackets)");
  EXPECT_EQ(outcomes[2].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(eventsPerRequest(fake), (std::vector<std::size_t>{2}));
}

TEST_F(EventGridBatching, SplitsAtANamespaceTopicsThousandEvents) {
  EventGridFake fake(EventGridTopic{.type = EventGridTopic::Type::Namespace});
  for (const auto& outcome : deliverTo(fake, true, testing::makeEvents(1001))) {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered);
  }
  EXPECT_EQ(eventsPerRequest(fake), (std::vector<std::size_t>{1000, 1}));
}

TEST_F(EventGridBatching, SplitsAtACustomTopicsFiveThousandEvents) {
  EventGridFake fake;
  for (const auto& outcome : deliverTo(fake, false, testing::makeEvents(5001))) {
    EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered);
  }
  EXPECT_EQ(eventsPerRequest(fake), (std::vector<std::size_t>{5000, 1}));
}

TEST_F(EventGridBatching, ARetryableRequestLeavesTheRestOfTheBatchUnsent) {
  EventGridFake fake;
  fake.script(EventGridFake::azureError(503, "ServiceUnavailable", "Try later.", {{"Retry-After", "4"}}));
  const auto outcomes = deliverTo(fake, false, eventsOfSize(5, 300000));
  ASSERT_EQ(outcomes.size(), 5u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(outcomes[i].message, "HTTP 503 Service Unavailable: ServiceUnavailable: Try later.");
  }
  for (std::size_t i = 3; i < 5; ++i) {
    EXPECT_EQ(outcomes[i].kind, Outcome::Kind::Retryable);
    EXPECT_EQ(outcomes[i].message, "not attempted: an earlier request of this batch failed");
    EXPECT_EQ(outcomes[i].retry_after, std::chrono::milliseconds(4000));
  }
  EXPECT_EQ(fake.requests().size(), 1u);
}

TEST_F(EventGridBatching, APermanentRequestDoesNotStopTheNextOne) {
  EventGridFake fake;
  fake.script(EventGridFake::azureError(400, "BadRequest", "Bad event."));
  const auto outcomes = deliverTo(fake, false, eventsOfSize(5, 300000));
  ASSERT_EQ(outcomes.size(), 5u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(outcomes[i].kind, Outcome::Kind::Permanent);
  for (std::size_t i = 3; i < 5; ++i) EXPECT_EQ(outcomes[i].kind, Outcome::Kind::Delivered);
}

TEST_F(EventGridBatching, AnEmptyBatchSendsNothing) {
  EventGridFake fake;
  EXPECT_TRUE(deliverTo(fake, false, {}).empty());
  EXPECT_TRUE(fake.requests().empty());
}

}  // namespace
}  // namespace ccm::sinks::eventgrid
