// Redrives in the store (docs/delivery.md#redrive): one active per sink,
// progress stored with the batch results, and times turned into sequences.
#include <gtest/gtest.h>

#include "ccm/sdk/time.hpp"
#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

SinkRedrive sampleRedrive(const std::string& id, const std::string& sink, const std::string& created_at) {
  SinkRedrive redrive;
  redrive.id = id;
  redrive.sink = sink;
  redrive.from_sequence = 3;
  redrive.to_sequence = 8;
  redrive.position = 2;
  redrive.filter = R"({"types":["ccm.lablet.*"]})";
  redrive.created_at = redrive.updated_at = created_at;
  return redrive;
}

auto redriveFields(const SinkRedrive& r) {
  return std::tie(r.id, r.sink, r.from_sequence, r.to_sequence, r.filter, r.position, r.delivered, r.failed, r.state,
                  r.created_at);
}

// Commits event e-<n> in its own transaction (it gets sequence n in a fresh store).
void appendEvent(Store& store, int n) {
  auto tx = store.begin();
  tx->appendEvent(sampleEvent("e-" + std::to_string(n), "ccm.a", "s"));
  tx->commit();
}

DeliveryUpdate progress(const std::string& sink, RedriveProgress step) {
  DeliveryUpdate update;
  update.sink = sink;
  update.redrives.push_back(std::move(step));
  return update;
}

TEST_P(StoreTest, ASinkHasOneActiveRedriveAtATime) {
  auto store = open();
  ASSERT_TRUE(store);
  const auto first = sampleRedrive("r-1", "out", "2026-12-03T10:00:00Z");
  EXPECT_TRUE(store->startRedrive(first));
  EXPECT_FALSE(store->startRedrive(sampleRedrive("r-2", "out", "2026-12-03T10:00:01Z")));
  EXPECT_TRUE(store->startRedrive(sampleRedrive("r-3", "other", "2026-12-03T10:00:02Z")));

  ASSERT_TRUE(store->activeRedrive("out"));
  EXPECT_EQ(redriveFields(*store->activeRedrive("out")), redriveFields(first));
  EXPECT_FALSE(store->findRedrive("out", "r-2"));
  EXPECT_FALSE(store->findRedrive("other", "r-1"));  // the id belongs to another sink
  EXPECT_FALSE(store->activeRedrive("nobody"));
}

TEST_P(StoreTest, ProgressMovesThePositionForwardOnlyAndCompletesTheRedriveAtItsEnd) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->startRedrive(sampleRedrive("r-1", "out", "2026-12-03T10:00:00Z")));
  store->applyDelivery(progress("out", {"r-1", 5, 2, 1}));
  store->applyDelivery(progress("out", {"r-1", 4, 1, 0}));  // a late write of an older position
  auto stored = store->findRedrive("out", "r-1");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->position, 5);
  EXPECT_EQ(stored->delivered, 3);
  EXPECT_EQ(stored->failed, 1);
  EXPECT_EQ(stored->state, kRedriveActive);
  EXPECT_EQ(stored->remaining(), 3);

  store->applyDelivery(progress("out", {"r-1", 8, 3, 0}));
  stored = store->findRedrive("out", "r-1");
  EXPECT_EQ(stored->state, kRedriveCompleted);
  EXPECT_EQ(stored->delivered, 6);
  EXPECT_FALSE(store->activeRedrive("out"));
  // Completed, it no longer holds the sink's one active place.
  EXPECT_TRUE(store->startRedrive(sampleRedrive("r-2", "out", "2026-12-03T11:00:00Z")));
  const auto listed = store->listRedrives("out", 10, 0);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, "r-2");  // newest first
  EXPECT_EQ(listed[1].id, "r-1");
  EXPECT_EQ(store->listRedrives("out", 1, 1).front().id, "r-1");
}

TEST_P(StoreTest, ACancelledRedriveStaysCancelledWhenItsLastBatchesAreStored) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->startRedrive(sampleRedrive("r-1", "out", "2026-12-03T10:00:00Z")));
  EXPECT_FALSE(store->cancelRedrive("out", "r-unknown", "2026-12-03T10:05:00Z"));
  const auto cancelled = store->cancelRedrive("out", "r-1", "2026-12-03T10:05:00Z");
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->state, kRedriveCancelled);
  EXPECT_EQ(cancelled->updated_at, "2026-12-03T10:05:00Z");
  EXPECT_FALSE(store->activeRedrive("out"));

  store->applyDelivery(progress("out", {"r-1", 8, 1, 0}));
  EXPECT_EQ(store->findRedrive("out", "r-1")->state, kRedriveCancelled);
  EXPECT_EQ(store->findRedrive("out", "r-1")->delivered, 1);
  // Cancelling again changes nothing.
  const auto before = store->findRedrive("out", "r-1")->updated_at;
  EXPECT_EQ(store->cancelRedrive("out", "r-1", "2026-12-03T11:00:00Z")->updated_at, before);
}

// Events 1..6 recorded one second apart from 10:00:01; a time becomes the
// first sequence recorded at (or after) it, and deleted events are skipped.
TEST_P(StoreTest, FirstSequenceRecordedFindsTheBoundaryByCommitTime) {
  auto store = open();
  ASSERT_TRUE(store);
  for (int i = 1; i <= 6; ++i) {
    appendEvent(*store, i);
    executeSql("UPDATE event_log SET recorded_at = '2026-12-03T10:00:0" + std::to_string(i) +
               ".000Z' WHERE sequence = " + std::to_string(i));
  }
  const auto at = [](const char* text) { return *sdk::parseRfc3339(text); };
  EXPECT_EQ(store->firstSequenceRecorded(at("2026-12-03T10:00:03Z"), true), 3);
  EXPECT_EQ(store->firstSequenceRecorded(at("2026-12-03T10:00:03Z"), false), 4);
  EXPECT_EQ(store->firstSequenceRecorded(at("2026-12-03T10:00:03.5Z"), true), 4);
  EXPECT_EQ(store->firstSequenceRecorded(at("2026-12-03T09:00:00Z"), true), 1);
  EXPECT_EQ(store->firstSequenceRecorded(at("2026-12-03T10:00:06Z"), false), 7);      // none: the next sequence
  EXPECT_EQ(store->firstSequenceRecorded(at("2026-12-03T11:00:05+01:00"), true), 5);  // an offset is a time too

  executeSql("DELETE FROM event_log WHERE sequence IN (1, 2, 4)");
  EXPECT_EQ(store->firstSequenceRecorded(at("2026-12-03T09:00:00Z"), true), 3);
  EXPECT_EQ(store->firstSequenceRecorded(at("2026-12-03T10:00:04Z"), true), 5);
  EXPECT_EQ(store->firstSequenceRecorded(at("2026-12-03T10:00:03Z"), false), 5);
}

// Retention treats an active redrive as a consumer of the log: the events
// it has not reached stay, though the sink's cursor passed them.
TEST_P(StoreTest, RetentionKeepsWhatAnActiveRedriveHasNotReached) {
  auto store = open();
  ASSERT_TRUE(store);
  for (int i = 1; i <= 6; ++i) appendEvent(*store, i);
  store->loadSinkProgress("out", 6);
  auto redrive = sampleRedrive("r-1", "out", "2026-12-03T10:00:00Z");
  redrive.from_sequence = 1;
  redrive.position = 2;
  ASSERT_TRUE(store->startRedrive(redrive));
  RetentionLimits limits;
  limits.max_events = 1;
  EXPECT_EQ(store->pruneEventLog(limits, {"out"}).deleted, 2);
  EXPECT_EQ(store->firstSequence(), 3);

  store->cancelRedrive("out", "r-1", "2026-12-03T10:01:00Z");
  EXPECT_EQ(store->pruneEventLog(limits, {"out"}).deleted, 3);
  EXPECT_EQ(store->firstSequence(), 6);
}

}  // namespace
}  // namespace ccm::core::store_test
