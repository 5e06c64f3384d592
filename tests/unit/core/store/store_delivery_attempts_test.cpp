// The delivery attempt log (table delivery_attempts): written with a batch's
// results by applyDelivery, read per event newest first, bounded per event
// and by age, on both databases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ccm/sdk/time.hpp"
#include "delivery/event_log_retention.hpp"
#include "observability/metrics_registry.hpp"
#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

auto attemptFields(const DeliveryAttempt& a) {
  return std::tie(a.sink, a.sequence, a.attempt, a.replay, a.attempted_at, a.outcome, a.http_status, a.error,
                  a.latency_us);
}

// "2026-12-03T10:00:00.0000NNZ": attempt times a microsecond apart, in order.
std::string at(int micros) {
  std::string digits = std::to_string(micros);
  return "2026-12-03T10:00:00." + std::string(6 - digits.size(), '0') + digits + "Z";
}

DeliveryAttempt attempt(const std::string& sink, std::int64_t sequence, int number, const std::string& attempted_at,
                        const std::string& outcome = "retryable", std::optional<int> status = 503) {
  return {sink, sequence, number, false, attempted_at, outcome, status, outcome == "delivered" ? "" : "HTTP 503", 1500};
}

void record(Store& store, const std::string& sink, std::vector<DeliveryAttempt> attempts) {
  DeliveryUpdate update;
  update.sink = sink;
  update.attempts = std::move(attempts);
  store.applyDelivery(update);
}

std::vector<int> numbers(const std::vector<DeliveryAttempt>& attempts) {
  std::vector<int> out;
  for (const auto& a : attempts) out.push_back(a.attempt);
  return out;
}

std::vector<DeliveryAttempt> attemptsOf(Store& store, std::int64_t sequence, const std::string& sink = "") {
  DeliveryAttemptQuery query;
  query.sequence = sequence;
  query.sink = sink;
  return store.deliveryAttempts(query);
}

TEST_P(StoreTest, AttemptLogKeepsOutcomeStatusErrorAndLatencyNewestFirst) {
  auto store = open();
  ASSERT_TRUE(store);
  const DeliveryAttempt refused{"out", 7, 1, false, at(1), "retryable", std::nullopt, "connection refused", 250};
  const DeliveryAttempt failed{"out", 7, 2, false, at(2), "retryable", 503, "HTTP 503 Service Unavailable: busy", 4200};
  const DeliveryAttempt delivered{"out", 7, 3, false, at(3), "delivered", 200, "", 900};
  record(*store, "out", {refused, failed});
  DeliveryUpdate update;
  update.sink = "out";
  update.delivered = {7};
  update.attempts = {delivered};
  store->applyDelivery(update);

  const auto attempts = attemptsOf(*store, 7);
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attemptFields(attempts[0]), attemptFields(delivered));
  EXPECT_EQ(attemptFields(attempts[1]), attemptFields(failed));
  EXPECT_EQ(attemptFields(attempts[2]), attemptFields(refused)) << "no status is read back as none";
  EXPECT_THAT(attemptsOf(*store, 8), IsEmpty());
}

TEST_P(StoreTest, AttemptLogListsEverySinkOrOneAndPages) {
  auto store = open();
  ASSERT_TRUE(store);
  record(*store, "a", {attempt("a", 1, 1, at(10)), attempt("a", 2, 1, at(11))});
  record(*store, "b", {attempt("b", 1, 1, at(12), "delivered", 202)});
  const auto all = attemptsOf(*store, 1);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].sink, "b");
  EXPECT_EQ(all[1].sink, "a");
  const auto only_a = attemptsOf(*store, 1, "a");
  ASSERT_EQ(only_a.size(), 1u);
  EXPECT_EQ(only_a[0].attempted_at, at(10));

  DeliveryAttemptQuery page;
  page.sequence = 1;
  page.limit = 1;
  page.offset = 1;
  const auto second = store->deliveryAttempts(page);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].sink, "a");
}

TEST_P(StoreTest, AttemptLogKeepsTheNewestAttemptsOfAnEventAndNoMore) {
  config_.retention.attempt_log.max_attempts_per_event = 3;
  auto store = open();
  ASSERT_TRUE(store);
  for (int n = 1; n <= 4; ++n) record(*store, "out", {attempt("out", 5, n, at(n))});
  // Two in one update, as the dispatcher's coalesced writes carry them.
  record(*store, "out", {attempt("out", 5, 5, at(5)), attempt("out", 5, 6, at(6))});
  EXPECT_THAT(numbers(attemptsOf(*store, 5)), ElementsAre(6, 5, 4));
  // Another event and the same event at another sink are not touched.
  record(*store, "out", {attempt("out", 6, 1, at(7)), attempt("out", 6, 2, at(8))});
  record(*store, "other", {attempt("other", 5, 1, at(9))});
  EXPECT_THAT(numbers(attemptsOf(*store, 6)), ElementsAre(2, 1));
  EXPECT_THAT(numbers(attemptsOf(*store, 5, "other")), ElementsAre(1));
  EXPECT_THAT(numbers(attemptsOf(*store, 5, "out")), ElementsAre(6, 5, 4));

  // A replayed dead letter counts from 1 again and still pushes the oldest out.
  auto replayed = attempt("out", 5, 1, at(20), "delivered", 200);
  replayed.replay = true;
  record(*store, "out", {replayed});
  const auto kept = attemptsOf(*store, 5, "out");
  EXPECT_THAT(numbers(kept), ElementsAre(1, 6, 5));
  EXPECT_TRUE(kept[0].replay);
  EXPECT_FALSE(kept[1].replay);
}

TEST_P(StoreTest, AttemptLogPrunesAttemptsOlderThanTheAgeInBoundedBatches) {
  auto store = open();
  ASSERT_TRUE(store);
  record(*store, "out",
         {attempt("out", 1, 1, "2026-12-01T10:00:00Z"), attempt("out", 1, 2, "2026-12-01T11:00:00Z"),
          attempt("out", 2, 1, "2026-12-01T12:00:00Z")});
  // Written with an offset: compared as the same instant in UTC.
  record(*store, "out", {attempt("out", 2, 2, "2026-12-03T11:00:00+01:00"), attempt("out", 3, 1, at(1))});

  EXPECT_EQ(store->pruneDeliveryAttempts("2026-12-02T00:00:00Z", 2), 2u);
  EXPECT_EQ(store->pruneDeliveryAttempts("2026-12-02T00:00:00Z", 2), 1u);
  EXPECT_EQ(store->pruneDeliveryAttempts("2026-12-02T00:00:00Z", 2), 0u);
  EXPECT_THAT(attemptsOf(*store, 1), IsEmpty());
  const auto kept = attemptsOf(*store, 2);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].attempted_at, "2026-12-03T10:00:00.000000Z");
  EXPECT_EQ(kept[0].attempt, 2);
  EXPECT_EQ(attemptsOf(*store, 3).size(), 1u);
}

TEST_P(StoreTest, AttemptsOfAFailedProgressWriteAreNotKept) {
  auto store = open();
  ASSERT_TRUE(store);
  // A dead letter with an id that exists already fails the whole update.
  DeliveryUpdate first;
  first.sink = "out";
  first.dead = {{"dl-1", "out", 1, sampleEvent("e-1", "ccm.a", "s"), 1, "x", at(1), "x", at(1), at(1)}};
  store->applyDelivery(first);
  DeliveryUpdate again = first;
  again.attempts = {attempt("out", 1, 1, at(2))};
  EXPECT_THROW(store->applyDelivery(again), StoreError);
  EXPECT_THAT(attemptsOf(*store, 1), IsEmpty()) << "the attempts share the progress write's transaction";
}

TEST_P(StoreTest, RetentionTaskDeletesAttemptsPastTheirAgeEvenWithoutEventLogLimits) {
  config_.retention.attempt_log.max_age_seconds = 3600;
  config_.retention.batch_size = 2;
  auto store = open();
  ASSERT_TRUE(store);
  record(*store, "out",
         {attempt("out", 1, 1, "2026-12-03T08:00:00Z"), attempt("out", 1, 2, "2026-12-03T08:30:00Z"),
          attempt("out", 1, 3, "2026-12-03T08:59:00Z"), attempt("out", 1, 4, "2026-12-03T09:30:00Z")});
  MetricsRegistry metrics;
  ASSERT_FALSE(config_.retention.enabled()) << "no limit on the event log itself";
  EventLogRetention retention(
      *store, metrics, config_.retention, [] { return std::vector<std::string>{}; }, EventLogRetention::Pacing{},
      [] { return *sdk::parseRfc3339("2026-12-03T10:00:00Z"); });
  retention.runOnce();
  EXPECT_THAT(numbers(attemptsOf(*store, 1)), ElementsAre(4)) << "three older than an hour, in two batches";
  EXPECT_THAT(metrics.renderPrometheus(), ::testing::HasSubstr("ccm_retention_deleted_attempts_total 3"));
}

}  // namespace
}  // namespace ccm::core::store_test
