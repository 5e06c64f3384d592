#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> idsOf(const std::vector<StoredEvent>& events) {
  std::vector<std::string> ids;
  for (const auto& stored : events) ids.push_back(stored.event.id);
  return ids;
}

// Commits one transaction that appends `events`, returning the sequences they got.
std::vector<std::int64_t> appendAll(Store& store, const std::vector<sdk::CloudEvent>& events) {
  const std::int64_t before = store.lastSequence();
  auto transaction = store.begin();
  for (const auto& event : events) transaction->appendEvent(event);
  transaction->commit();
  EventQuery query;
  query.after = before;
  query.limit = events.size();
  std::vector<std::int64_t> sequences;
  for (const auto& stored : store.readEvents(query)) sequences.push_back(stored.sequence);
  return sequences;
}

TEST_P(StoreTest, AppendedEventsGetIncreasingGapFreeSequences) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_THAT(appendAll(*store, {sampleEvent("e-1", "ccm.a", "s"), sampleEvent("e-2", "ccm.a", "s")}),
              ElementsAre(1, 2));
  EXPECT_THAT(appendAll(*store, {sampleEvent("e-3", "ccm.a", "s")}), ElementsAre(3));
  EXPECT_EQ(store->lastSequence(), 3);
}

// A commit of few events is written as a VALUES list on PostgreSQL, one of
// many as arrays through unnest(): both keep every attribute and the order,
// bodies with the characters an array literal gives meaning to included.
TEST_P(StoreTest, LargeAndSmallCommitsStoreEveryEventWholeAndInOrder) {
  auto store = open();
  ASSERT_TRUE(store);
  for (const std::size_t count : {std::size_t{3}, std::size_t{40}}) {
    std::vector<sdk::CloudEvent> events;
    for (std::size_t i = 0; i < count; ++i) {
      auto event = sampleEvent("e-" + std::to_string(count) + "-" + std::to_string(i), "ccm.a", "s, {\"q\"} \\ " + std::to_string(i));
      event.data = sdk::Data::json(R"({"text":"quote \" backslash \\ brace } comma , )" + std::to_string(i) + " caf\xc3\xa9\"}");
      events.push_back(event);
    }
    const std::int64_t before = store->lastSequence();
    const auto sequences = appendAll(*store, events);
    ASSERT_EQ(sequences.size(), count);
    EventQuery query;
    query.after = before;
    query.limit = count;
    const auto stored = store->readEvents(query);
    ASSERT_EQ(stored.size(), count);
    for (std::size_t i = 0; i < count; ++i) {
      EXPECT_EQ(stored[i].sequence, before + static_cast<std::int64_t>(i) + 1);
      EXPECT_EQ(stored[i].event, events[i]) << i;
    }
  }
}

TEST_P(StoreTest, RolledBackEventsLeaveNoGap) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto abandoned = store->begin();
    abandoned->appendEvent(sampleEvent("e-lost", "ccm.a", "s"));
  }
  EXPECT_THAT(appendAll(*store, {sampleEvent("e-1", "ccm.a", "s")}), ElementsAre(1));
  EXPECT_THAT(idsOf(store->readEvents({})), ElementsAre("e-1"));
}

TEST_P(StoreTest, StoredEventRoundTripsEveryAttribute) {
  auto store = open();
  ASSERT_TRUE(store);
  const auto event = sampleEvent("e-1", "ccm.lablet.session.running", "session-1");
  appendAll(*store, {event});

  const auto events = store->readEvents({});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].sequence, 1);
  EXPECT_EQ(events[0].event, event);
}

TEST_P(StoreTest, ReadsEventsAfterASequenceInOrder) {
  auto store = open();
  ASSERT_TRUE(store);
  appendAll(*store,
            {sampleEvent("e-1", "ccm.a", "s"), sampleEvent("e-2", "ccm.a", "s"), sampleEvent("e-3", "ccm.a", "s")});
  EventQuery query;
  query.after = 1;
  const auto events = store->readEvents(query);
  EXPECT_THAT(idsOf(events), ElementsAre("e-2", "e-3"));
  EXPECT_EQ(events.back().sequence, 3);
}

TEST_P(StoreTest, TypeGlobStarMatchesAnyRun) {
  auto store = open();
  ASSERT_TRUE(store);
  appendAll(*store,
            {sampleEvent("e-1", "ccm.lablet.session.running", "s"), sampleEvent("e-2", "ccm.worker.running", "s"),
             sampleEvent("e-3", "ccm.lablet.session.stopped", "s"), sampleEvent("e-4", "CCM.lablet.session.x", "s")});
  EventQuery query;
  query.type_glob = "ccm.lablet.*";
  EXPECT_THAT(idsOf(store->readEvents(query)), ElementsAre("e-1", "e-3"));
  query.type_glob = "*.running";
  EXPECT_THAT(idsOf(store->readEvents(query)), ElementsAre("e-1", "e-2"));
  query.type_glob = "ccm.worker.running";
  EXPECT_THAT(idsOf(store->readEvents(query)), ElementsAre("e-2"));
}

TEST_P(StoreTest, TypeGlobTreatsSqlWildcardsLiterally) {
  auto store = open();
  ASSERT_TRUE(store);
  appendAll(*store, {sampleEvent("e-1", "ccm.a_b", "s"), sampleEvent("e-2", "ccm.axb", "s"),
                     sampleEvent("e-3", "ccm.100%", "s"), sampleEvent("e-4", "ccm.1000", "s"),
                     sampleEvent("e-5", "ccm.back\\slash", "s"), sampleEvent("e-6", "ccm.q?[x]", "s"),
                     sampleEvent("e-7", "ccm.qz[x]", "s")});
  EventQuery query;
  query.type_glob = "ccm.a_b";
  EXPECT_THAT(idsOf(store->readEvents(query)), ElementsAre("e-1"));
  query.type_glob = "ccm.100%";
  EXPECT_THAT(idsOf(store->readEvents(query)), ElementsAre("e-3"));
  query.type_glob = "*\\*";
  EXPECT_THAT(idsOf(store->readEvents(query)), ElementsAre("e-5"));
  query.type_glob = "ccm.q?[x]";
  EXPECT_THAT(idsOf(store->readEvents(query)), ElementsAre("e-6"));
  query.type_glob = "*_*";
  EXPECT_THAT(idsOf(store->readEvents(query)), ElementsAre("e-1"));
}

TEST_P(StoreTest, ReadsEventsOfOneSubject) {
  auto store = open();
  ASSERT_TRUE(store);
  auto without_subject = sampleEvent("e-3", "ccm.a", "x");
  without_subject.subject.reset();
  appendAll(*store, {sampleEvent("e-1", "ccm.a", "session-1"), sampleEvent("e-2", "ccm.a", "session-2"),
                     without_subject, sampleEvent("e-4", "ccm.b", "session-1")});
  EventQuery query;
  query.subject = "session-1";
  EXPECT_THAT(idsOf(store->readEvents(query)), ElementsAre("e-1", "e-4"));
  query.type_glob = "ccm.b";
  EXPECT_THAT(idsOf(store->readEvents(query)), ElementsAre("e-4"));
}

TEST_P(StoreTest, ReadLimitIsHonouredAndCappedAtOneThousand) {
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<sdk::CloudEvent> events;
  for (int i = 1; i <= 1005; ++i) events.push_back(sampleEvent("e-" + std::to_string(i), "ccm.a", "s"));
  appendAll(*store, events);

  EventQuery query;
  query.limit = 2;
  query.after = 10;
  EXPECT_THAT(idsOf(store->readEvents(query)), ElementsAre("e-11", "e-12"));
  query.limit = 5000;
  query.after = 0;
  const auto capped = store->readEvents(query);
  ASSERT_EQ(capped.size(), 1000u);
  EXPECT_EQ(capped.back().sequence, 1000);
}

TEST_P(StoreTest, InvalidEventIsRefused) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  auto event = sampleEvent("e-1", "ccm.a", "s");
  event.source.clear();
  EXPECT_THROW(transaction->appendEvent(event), StoreError);
}

}  // namespace
}  // namespace ccm::core::store_test
