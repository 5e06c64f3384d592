#include "engine/session_transitions.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ccm::core {
namespace {

using S = SessionState;

// The expected machine, written out independently of the table under test.
const std::vector<std::pair<S, std::string>> kStates{
    {S::Pending, "pending"}, {S::Scheduled, "scheduled"},   {S::Instantiating, "instantiating"},
    {S::Ready, "ready"},     {S::Running, "running"},       {S::Collecting, "collecting"},
    {S::Grading, "grading"}, {S::Graded, "graded"},         {S::Stopping, "stopping"},
    {S::Stopped, "stopped"}, {S::Terminated, "terminated"},
};

const std::map<S, std::vector<S>> kExpectedNext{
    {S::Pending, {S::Scheduled, S::Stopping}},
    {S::Scheduled, {S::Instantiating, S::Stopping}},
    {S::Instantiating, {S::Ready, S::Stopping}},
    {S::Ready, {S::Running, S::Stopping}},
    {S::Running, {S::Collecting, S::Stopping}},
    {S::Collecting, {S::Grading, S::Stopping}},
    {S::Grading, {S::Graded, S::Stopping}},
    {S::Graded, {S::Stopping}},
    {S::Stopping, {S::Stopped}},
    {S::Stopped, {S::Terminated}},
    {S::Terminated, {}},
};

const std::vector<S> kLive{S::Pending, S::Scheduled,  S::Instantiating, S::Ready,
                           S::Running, S::Collecting, S::Grading,       S::Graded};

std::string nameOf(S state) {
  for (const auto& [value, name] : kStates) {
    if (value == state) return name;
  }
  return "?";
}

LabletSession sessionIn(S state) {
  LabletSession session;
  session.id = "7f3c2a";
  session.definition_id = "def-1";
  session.owner_id = "student-1";
  session.state = state;
  session.worker_id = "w1";
  session.allocated_ports = {{"r1/serial:5042", 5000}, {"desktop/vnc:5901", 5001}};
  session.created_at = "2026-02-18T10:00:00Z";
  session.updated_at = "2026-02-18T10:00:00Z";
  return session;
}

TEST(SessionTransitions, AllowedNextMatchesTheLifecycle) {
  for (const auto& [state, name] : kStates) {
    SCOPED_TRACE(name);
    EXPECT_EQ(allowedNext(state), kExpectedNext.at(state));
  }
}

TEST(SessionTransitions, LiveStatesArePendingThroughGraded) {
  for (const auto& [state, name] : kStates) {
    SCOPED_TRACE(name);
    const bool expected = std::find(kLive.begin(), kLive.end(), state) != kLive.end();
    EXPECT_EQ(isLive(state), expected);
  }
}

TEST(SessionTransitions, HappyPathWalksEveryState) {
  LabletSession session = sessionIn(S::Pending);
  int minute = 1;
  for (std::size_t i = 1; i < kStates.size(); ++i) {
    const std::string now = "2026-02-18T10:0" + std::to_string(minute++) + ":00Z";
    auto moved = applyTransition(session, kStates[i].first, std::nullopt, now);
    ASSERT_TRUE(moved) << kStates[i].second << ": " << moved.error().message;
    EXPECT_EQ(moved.value().state, kStates[i].first);
    EXPECT_EQ(moved.value().updated_at, now);
    EXPECT_EQ(moved.value().created_at, session.created_at);
    session = moved.value();
  }
  EXPECT_EQ(session.state, S::Terminated);
  EXPECT_EQ(session.final_state, FinalState::Completed);
}

// Every (from, to) pair outside the table is refused with the exact 409
// message, and the input is left as it was.
TEST(SessionTransitions, EveryIllegalTransitionIsRefusedWithTheAllowedOnes) {
  int refused = 0;
  for (const auto& [from, from_name] : kStates) {
    const auto& legal = kExpectedNext.at(from);
    std::string allowed;
    for (S next : legal) allowed += (allowed.empty() ? "\"" : ", \"") + nameOf(next) + "\"";
    if (allowed.empty()) allowed = "none";

    for (const auto& [to, to_name] : kStates) {
      if (std::find(legal.begin(), legal.end(), to) != legal.end()) continue;
      SCOPED_TRACE(from_name + " -> " + to_name);
      const LabletSession before = sessionIn(from);
      const LabletSession input = before;
      auto result = applyTransition(input, to, std::nullopt, "2026-02-18T11:00:00Z");
      ASSERT_FALSE(result);
      EXPECT_EQ(result.error().where, "state");
      EXPECT_EQ(result.error().message, "session 7f3c2a: cannot go from \"" + from_name + "\" to \"" + to_name +
                                            "\" (allowed from \"" + from_name + "\": " + allowed + ")");
      EXPECT_EQ(input.state, before.state);
      EXPECT_EQ(input.updated_at, before.updated_at);
      EXPECT_EQ(input.final_state, before.final_state);
      EXPECT_EQ(input.allocated_ports, before.allocated_ports);
      ++refused;
    }
  }
  EXPECT_EQ(refused, 11 * 11 - 17);
}

TEST(SessionTransitions, RefusalNamesSessionStateAndAllowedOnes) {
  auto result = applyTransition(sessionIn(S::Ready), S::Grading, std::nullopt, "now");
  ASSERT_FALSE(result);
  EXPECT_EQ(
      result.error().message,
      "session 7f3c2a: cannot go from \"ready\" to \"grading\" (allowed from \"ready\": \"running\", \"stopping\")");
}

TEST(SessionTransitions, TerminatedAllowsNothing) {
  auto result = applyTransition(sessionIn(S::Terminated), S::Pending, std::nullopt, "now");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "session 7f3c2a: cannot go from \"terminated\" to \"pending\" (allowed from \"terminated\": none)");
}

TEST(SessionTransitions, StopFromEveryLiveStateBeforeGradedIsACancellation) {
  for (S from : kLive) {
    if (from == S::Graded) continue;
    SCOPED_TRACE(nameOf(from));
    auto result = applyTransition(sessionIn(from), S::Stopping, std::nullopt, "2026-02-18T11:00:00Z");
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result.value().state, S::Stopping);
    EXPECT_EQ(result.value().final_state, FinalState::Cancelled);
    EXPECT_EQ(result.value().updated_at, "2026-02-18T11:00:00Z");
  }
}

TEST(SessionTransitions, StopAfterGradedIsCompletedByDefault) {
  auto result = applyTransition(sessionIn(S::Graded), S::Stopping, std::nullopt, "now");
  ASSERT_TRUE(result);
  EXPECT_EQ(result.value().final_state, FinalState::Completed);
}

TEST(SessionTransitions, ExplicitCancelAfterGradedIsKept) {
  auto result = applyTransition(sessionIn(S::Graded), S::Stopping, FinalState::Cancelled, "now");
  ASSERT_TRUE(result);
  EXPECT_EQ(result.value().final_state, FinalState::Cancelled);
}

TEST(SessionTransitions, FaultAndExpiryAreRecordedFromEveryLiveState) {
  for (FinalState reason : {FinalState::Faulted, FinalState::Expired}) {
    for (S from : kLive) {
      SCOPED_TRACE(nameOf(from));
      auto result = applyTransition(sessionIn(from), S::Stopping, reason, "now");
      ASSERT_TRUE(result) << result.error().message;
      EXPECT_EQ(result.value().state, S::Stopping);
      EXPECT_EQ(result.value().final_state, reason);
    }
  }
}

TEST(SessionTransitions, CompletedBeforeGradedIsRefused) {
  auto result = applyTransition(sessionIn(S::Running), S::Stopping, FinalState::Completed, "now");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().where, "final_state");
  EXPECT_EQ(result.error().message,
            "session 7f3c2a: final_state \"COMPLETED\" needs a graded session, it is \"running\"");
}

TEST(SessionTransitions, FinalStateOutsideStoppingIsRefused) {
  auto result = applyTransition(sessionIn(S::Stopping), S::Stopped, FinalState::Faulted, "now");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().where, "final_state");
  EXPECT_EQ(result.error().message,
            "session 7f3c2a: final_state is recorded when entering \"stopping\", not \"stopped\"");
}

TEST(SessionTransitions, StoppedReleasesPortsAndKeepsFinalState) {
  LabletSession stopping = sessionIn(S::Stopping);
  stopping.final_state = FinalState::Expired;
  auto stopped = applyTransition(stopping, S::Stopped, std::nullopt, "2026-02-18T12:00:00Z");
  ASSERT_TRUE(stopped);
  EXPECT_TRUE(stopped.value().allocated_ports.empty());
  EXPECT_EQ(stopped.value().final_state, FinalState::Expired);
  EXPECT_EQ(stopped.value().worker_id, "w1");  // kept: where it ran stays on record

  auto terminated = applyTransition(stopped.value(), S::Terminated, std::nullopt, "2026-02-18T12:01:00Z");
  ASSERT_TRUE(terminated);
  EXPECT_EQ(terminated.value().final_state, FinalState::Expired);
  EXPECT_EQ(terminated.value().updated_at, "2026-02-18T12:01:00Z");
}

TEST(SessionTransitions, StoppingKeepsPortsUntilStopped) {
  auto result = applyTransition(sessionIn(S::Running), S::Stopping, std::nullopt, "now");
  ASSERT_TRUE(result);
  EXPECT_EQ(result.value().allocated_ports, sessionIn(S::Running).allocated_ports);
}

}  // namespace
}  // namespace ccm::core
