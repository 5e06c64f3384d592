#include "engine/worker_transitions.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ccm::core {
namespace {

using W = WorkerState;

const std::vector<std::pair<W, std::string>> kStates{
    {W::Pending, "pending"},       {W::Provisioning, "provisioning"}, {W::Running, "running"},
    {W::Draining, "draining"},     {W::Stopping, "stopping"},         {W::Stopped, "stopped"},
    {W::Terminated, "terminated"},
};

const std::map<W, std::vector<W>> kExpectedNext{
    {W::Pending, {W::Provisioning, W::Stopping}},
    {W::Provisioning, {W::Running, W::Stopping}},
    {W::Running, {W::Draining, W::Stopping}},
    {W::Draining, {W::Stopping}},
    {W::Stopping, {W::Stopped}},
    {W::Stopped, {W::Terminated}},
    {W::Terminated, {}},
};

std::string nameOf(W state) {
  for (const auto& [value, name] : kStates) {
    if (value == state) return name;
  }
  return "?";
}

Worker workerIn(W state) {
  Worker worker;
  worker.id = "w1";
  worker.name = "cml-worker-1";
  worker.state = state;
  worker.updated_at = "2026-02-18T10:00:00Z";
  return worker;
}

TEST(WorkerTransitions, AllowedNextMatchesTheLifecycle) {
  for (const auto& [state, name] : kStates) {
    SCOPED_TRACE(name);
    EXPECT_EQ(allowedNext(state), kExpectedNext.at(state));
  }
}

TEST(WorkerTransitions, HappyPathDrainsBeforeStopping) {
  Worker worker = workerIn(W::Pending);
  for (std::size_t i = 1; i < kStates.size(); ++i) {
    const std::string now = "2026-02-18T10:0" + std::to_string(i) + ":00Z";
    auto moved = applyTransition(worker, kStates[i].first, now);
    ASSERT_TRUE(moved) << kStates[i].second << ": " << moved.error().message;
    EXPECT_EQ(moved.value().state, kStates[i].first);
    EXPECT_EQ(moved.value().updated_at, now);
    worker = moved.value();
  }
  EXPECT_EQ(worker.state, W::Terminated);
}

TEST(WorkerTransitions, RunningWorkerMayStopWithoutDraining) {
  auto result = applyTransition(workerIn(W::Running), W::Stopping, "now");
  ASSERT_TRUE(result);
  EXPECT_EQ(result.value().state, W::Stopping);
}

TEST(WorkerTransitions, WorkerStillComingUpMayBeCancelled) {
  for (W from : {W::Pending, W::Provisioning}) {
    SCOPED_TRACE(nameOf(from));
    auto result = applyTransition(workerIn(from), W::Stopping, "now");
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result.value().state, W::Stopping);
  }
}

TEST(WorkerTransitions, EveryIllegalTransitionIsRefusedWithTheAllowedOnes) {
  int refused = 0;
  for (const auto& [from, from_name] : kStates) {
    const auto& legal = kExpectedNext.at(from);
    std::string allowed;
    for (W next : legal) allowed += (allowed.empty() ? "\"" : ", \"") + nameOf(next) + "\"";
    if (allowed.empty()) allowed = "none";

    for (const auto& [to, to_name] : kStates) {
      if (std::find(legal.begin(), legal.end(), to) != legal.end()) continue;
      SCOPED_TRACE(from_name + " -> " + to_name);
      const Worker input = workerIn(from);
      auto result = applyTransition(input, to, "2026-02-18T11:00:00Z");
      ASSERT_FALSE(result);
      EXPECT_EQ(result.error().where, "state");
      EXPECT_EQ(result.error().message, "worker w1: cannot go from \"" + from_name + "\" to \"" + to_name +
                                            "\" (allowed from \"" + from_name + "\": " + allowed + ")");
      EXPECT_EQ(input.state, from);
      EXPECT_EQ(input.updated_at, "2026-02-18T10:00:00Z");
      ++refused;
    }
  }
  EXPECT_EQ(refused, 7 * 7 - 9);
}

TEST(WorkerTransitions, DrainingWorkerCannotGoBackToRunning) {
  auto result = applyTransition(workerIn(W::Draining), W::Running, "now");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "worker w1: cannot go from \"draining\" to \"running\" (allowed from \"draining\": \"stopping\")");
}

}  // namespace
}  // namespace ccm::core
