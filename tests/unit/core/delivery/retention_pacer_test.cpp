// RetentionPacer: batch sizes that follow the time a batch took, and the rest
// after each batch that leaves the store's writer to ingest.
#include "delivery/retention_pacer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace ccm::core {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

class RetentionPacerTest : public ::testing::Test {
protected:
  RetentionPacer pacer(std::size_t max_size, std::size_t min_size, std::chrono::milliseconds target = 5ms) {
    return RetentionPacer(max_size, min_size, target,
                          [this](RetentionPacer::Clock::duration d) { rests_.push_back(d); });
  }
  std::vector<RetentionPacer::Clock::duration> rests_;
};

TEST_F(RetentionPacerTest, StartsSmallAndGrowsAtMostTwofoldWhileBatchesAreQuick) {
  auto p = pacer(1000, 16);
  EXPECT_EQ(p.size(), RetentionPacer::kFirstSize);
  p.pace(1ms);  // 128 in 1 ms: 640 would take 5 ms; doubling is the most
  EXPECT_EQ(p.size(), 256u);
  p.pace(2ms);  // 256 in 2 ms: 640
  EXPECT_EQ(p.size(), 512u);
  p.pace(1ms);
  EXPECT_EQ(p.size(), 1000u) << "never above the configured batch size";
  EXPECT_THAT(rests_, ElementsAre(1ms, 2ms, 1ms)) << "rests as long as each batch took";
}

TEST_F(RetentionPacerTest, ShrinksAtMostByHalfWhenABatchHoldsTheWriterTooLong) {
  auto p = pacer(1000, 16);
  p.pace(7500us);  // 128 in 7.5 ms: 85 would take 5 ms
  EXPECT_EQ(p.size(), 85u);
  p.pace(100ms);
  EXPECT_EQ(p.size(), 42u) << "halved at most";
  p.pace(100ms);
  p.pace(100ms);
  EXPECT_EQ(p.size(), 16u) << "never below the smallest batch";
}

TEST_F(RetentionPacerTest, TheFirstSizeIsCappedByTheLargest) {
  EXPECT_EQ(pacer(50, 16).size(), 50u);
  EXPECT_EQ(pacer(50, 100).size(), 50u) << "a smallest batch above the largest gives way";
}

TEST_F(RetentionPacerTest, RestsLessForEveryLoopThatEndsBehindAndMoreAgainOnceItKeepsUp) {
  auto p = pacer(1000, 16);
  p.loopEnded(true);
  p.pace(8ms);
  p.loopEnded(true);
  p.pace(8ms);
  for (int i = 0; i < 10; ++i) p.loopEnded(true);
  EXPECT_EQ(p.restDivisor(), RetentionPacer::kMaxRestDivisor) << "never gives the writer up altogether";
  p.pace(8ms);
  p.loopEnded(false);
  p.pace(8ms);
  for (int i = 0; i < 10; ++i) p.loopEnded(false);
  p.pace(8ms);
  EXPECT_THAT(rests_, ElementsAre(4ms, 2ms, 500us, 1ms, 8ms)) << "halved per loop behind, doubled back per loop done";
}

TEST_F(RetentionPacerTest, AZeroTargetPacesNothing) {
  auto p = pacer(1000, 16, 0ms);
  EXPECT_EQ(p.size(), 1000u);
  p.pace(500ms);
  EXPECT_EQ(p.size(), 1000u);
  EXPECT_TRUE(rests_.empty());
}

}  // namespace
}  // namespace ccm::core
