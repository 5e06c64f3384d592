#include "ccm/sdk/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace ccm::sdk {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using State = CircuitBreaker::State;

const CircuitBreaker::TimePoint kStart{std::chrono::hours(1000)};

// As the dispatcher drives it: allows, probing and the state as last left.

TEST(CircuitBreaker, OpensAfterThresholdConsecutiveFailures) {
  CircuitBreaker breaker({3, milliseconds(1000)});
  const auto t0 = CircuitBreaker::Clock::now();
  breaker.recordFailure(t0);
  breaker.recordFailure(t0);
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::Closed);
  breaker.recordFailure(t0);
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::Open);
  EXPECT_FALSE(breaker.allows(t0 + milliseconds(999)));
}

TEST(CircuitBreaker, SuccessResetsTheFailureCount) {
  CircuitBreaker breaker({2, milliseconds(1000)});
  const auto t0 = CircuitBreaker::Clock::now();
  breaker.recordFailure(t0);
  breaker.recordSuccess();
  breaker.recordFailure(t0);
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::Closed);
}

TEST(CircuitBreaker, HalfOpenLetsOneProbeThroughAndItsResultDecides) {
  CircuitBreaker breaker({1, milliseconds(100)});
  const auto t0 = CircuitBreaker::Clock::now();
  breaker.recordFailure(t0);
  const auto later = t0 + milliseconds(150);
  EXPECT_TRUE(breaker.allows(later));
  EXPECT_TRUE(breaker.probing());
  EXPECT_FALSE(breaker.allows(later));  // one probe at a time
  breaker.recordFailure(later);
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::Open);
  EXPECT_FALSE(breaker.allows(later + milliseconds(50)));
  EXPECT_TRUE(breaker.allows(later + milliseconds(150)));
  breaker.recordSuccess();
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::Closed);
  EXPECT_TRUE(breaker.allows(later + milliseconds(150)));
}

TEST(CircuitBreaker, StaysOpenUntilItAdmitsItsTrial) {
  CircuitBreaker breaker({1, 1000ms});
  breaker.recordFailure(kStart);
  EXPECT_EQ(breaker.reopensAt(), kStart + 1000ms);
  EXPECT_EQ(breaker.state(), State::Open);
  EXPECT_EQ(breaker.state(kStart + 1000ms), State::HalfOpen);
  EXPECT_EQ(breaker.state(), State::Open);  // nothing admitted yet
  EXPECT_FALSE(breaker.probing());
  ASSERT_TRUE(breaker.allows(kStart + 1000ms));
  EXPECT_EQ(breaker.state(), State::HalfOpen);
}

TEST(CircuitBreaker, StatesHaveTheSinkStatusNames) {
  EXPECT_STREQ(toString(State::Closed), "closed");
  EXPECT_STREQ(toString(State::Open), "open");
  EXPECT_STREQ(toString(State::HalfOpen), "half_open");
}

// As the assessment client drives it: admit with a reason, and whether a
// failure opened the circuit.

TEST(CircuitBreakerAdmit, OpensAfterThresholdConsecutiveFailures) {
  CircuitBreaker breaker({.failure_threshold = 3, .open_for = 1000ms});
  EXPECT_FALSE(breaker.recordFailure(kStart));
  EXPECT_FALSE(breaker.recordFailure(kStart));
  EXPECT_EQ(breaker.admit(kStart), std::nullopt);
  EXPECT_TRUE(breaker.recordFailure(kStart));
  EXPECT_EQ(breaker.state(kStart), State::Open);
  EXPECT_EQ(breaker.admit(kStart + 400ms),
            "circuit open after 3 consecutive failed calls; calls fail fast for another 600 ms");
}

TEST(CircuitBreakerAdmit, SuccessResetsTheCount) {
  CircuitBreaker breaker({.failure_threshold = 2, .open_for = 1000ms});
  breaker.recordFailure(kStart);
  breaker.recordSuccess();
  EXPECT_FALSE(breaker.recordFailure(kStart));
  EXPECT_EQ(breaker.state(kStart), State::Closed);
}

TEST(CircuitBreakerAdmit, HalfOpenAdmitsOneTrialAtATime) {
  CircuitBreaker breaker({.failure_threshold = 1, .open_for = 1000ms});
  breaker.recordFailure(kStart);
  EXPECT_EQ(breaker.state(kStart + 1000ms), State::HalfOpen);
  EXPECT_EQ(breaker.admit(kStart + 1000ms), std::nullopt);
  EXPECT_EQ(breaker.admit(kStart + 1001ms), "circuit half-open: a trial call is in progress");
}

TEST(CircuitBreakerAdmit, SuccessfulTrialCloses) {
  CircuitBreaker breaker({.failure_threshold = 1, .open_for = 1000ms});
  breaker.recordFailure(kStart);
  ASSERT_EQ(breaker.admit(kStart + 1000ms), std::nullopt);
  breaker.recordSuccess();
  EXPECT_EQ(breaker.state(kStart + 1000ms), State::Closed);
  EXPECT_EQ(breaker.admit(kStart + 1000ms), std::nullopt);
}

TEST(CircuitBreakerAdmit, FailedTrialReopensForAnotherPeriod) {
  CircuitBreaker breaker({.failure_threshold = 5, .open_for = 1000ms});
  for (int i = 0; i < 5; ++i) breaker.recordFailure(kStart);
  ASSERT_EQ(breaker.admit(kStart + 1500ms), std::nullopt);
  breaker.recordFailure(kStart + 1500ms);
  EXPECT_EQ(breaker.state(kStart + 2499ms), State::Open);
  EXPECT_EQ(breaker.state(kStart + 2500ms), State::HalfOpen);
}

TEST(CircuitBreakerAdmit, AFailedTrialDoesNotCountAsOpening) {
  CircuitBreaker breaker({.failure_threshold = 1, .open_for = 1000ms});
  EXPECT_TRUE(breaker.recordFailure(kStart));
  ASSERT_EQ(breaker.admit(kStart + 1000ms), std::nullopt);
  EXPECT_FALSE(breaker.recordFailure(kStart + 1000ms));
  EXPECT_EQ(breaker.state(kStart + 1000ms), State::Open);
}

}  // namespace
}  // namespace ccm::sdk
