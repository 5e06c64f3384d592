#include "domain/states.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ccm::core {
namespace {

TEST(States, SessionStatesAreLowerCaseCatalogNames) {
  const std::vector<std::pair<SessionState, std::string>> expected = {
      {SessionState::Pending, "pending"},
      {SessionState::Scheduled, "scheduled"},
      {SessionState::Instantiating, "instantiating"},
      {SessionState::Ready, "ready"},
      {SessionState::Running, "running"},
      {SessionState::Collecting, "collecting"},
      {SessionState::Grading, "grading"},
      {SessionState::Graded, "graded"},
      {SessionState::Stopping, "stopping"},
      {SessionState::Stopped, "stopped"},
      {SessionState::Terminated, "terminated"},
  };
  for (const auto& [state, name] : expected) {
    EXPECT_EQ(toString(state), name);
    EXPECT_EQ(sessionStateFrom(name), state) << name;
  }
}

TEST(States, FinalStatesAreUpperCase) {
  const std::vector<std::pair<FinalState, std::string>> expected = {
      {FinalState::Completed, "COMPLETED"},
      {FinalState::Cancelled, "CANCELLED"},
      {FinalState::Expired, "EXPIRED"},
      {FinalState::Faulted, "FAULTED"},
  };
  for (const auto& [state, name] : expected) {
    EXPECT_EQ(toString(state), name);
    EXPECT_EQ(finalStateFrom(name), state) << name;
  }
}

TEST(States, WorkerStatesAreLowerCase) {
  const std::vector<std::pair<WorkerState, std::string>> expected = {
      {WorkerState::Pending, "pending"},       {WorkerState::Provisioning, "provisioning"},
      {WorkerState::Running, "running"},       {WorkerState::Draining, "draining"},
      {WorkerState::Stopping, "stopping"},     {WorkerState::Stopped, "stopped"},
      {WorkerState::Terminated, "terminated"},
  };
  for (const auto& [state, name] : expected) {
    EXPECT_EQ(toString(state), name);
    EXPECT_EQ(workerStateFrom(name), state) << name;
  }
}

TEST(States, ParsingIsExactAndCaseSensitive) {
  EXPECT_EQ(sessionStateFrom("RUNNING"), std::nullopt);
  EXPECT_EQ(sessionStateFrom("archived"), std::nullopt);
  EXPECT_EQ(finalStateFrom("completed"), std::nullopt);
  EXPECT_EQ(workerStateFrom("provisioning.started"), std::nullopt);
  EXPECT_EQ(workerStateFrom(""), std::nullopt);
}

}  // namespace
}  // namespace ccm::core
