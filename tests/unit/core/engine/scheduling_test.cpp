#include "engine/scheduling.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ccm::core {
namespace {

LabletSession pendingSession() {
  LabletSession session;
  session.id = "s1";
  session.state = SessionState::Pending;
  return session;
}

Worker runningWorker(int capacity = 3) {
  Worker worker;
  worker.id = "w1";
  worker.state = WorkerState::Running;
  worker.capacity = capacity;
  return worker;
}

TEST(Scheduling, PendingSessionOnRunningWorkerWithRoomIsAccepted) {
  EXPECT_EQ(checkSchedulable(pendingSession(), runningWorker(3), 0), std::nullopt);
  EXPECT_EQ(checkSchedulable(pendingSession(), runningWorker(3), 2), std::nullopt);
}

TEST(Scheduling, SessionThatIsNotPendingIsRefused) {
  LabletSession session = pendingSession();
  session.state = SessionState::Scheduled;
  const auto error = checkSchedulable(session, runningWorker(), 0);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->where, "state");
  EXPECT_EQ(error->message, "session s1 is \"scheduled\"; only a \"pending\" session can be scheduled");
}

TEST(Scheduling, DrainingWorkerIsRefused) {
  Worker worker = runningWorker();
  worker.state = WorkerState::Draining;
  const auto error = checkSchedulable(pendingSession(), worker, 0);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->where, "worker_id");
  EXPECT_EQ(error->message, "worker w1 is \"draining\" and takes no new sessions");
}

TEST(Scheduling, WorkerThatIsNotRunningIsRefused) {
  const std::vector<std::pair<WorkerState, std::string>> not_running{
      {WorkerState::Pending, "pending"},       {WorkerState::Provisioning, "provisioning"},
      {WorkerState::Stopping, "stopping"},     {WorkerState::Stopped, "stopped"},
      {WorkerState::Terminated, "terminated"},
  };
  for (const auto& [state, name] : not_running) {
    SCOPED_TRACE(name);
    Worker worker = runningWorker();
    worker.state = state;
    const auto error = checkSchedulable(pendingSession(), worker, 0);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->where, "worker_id");
    EXPECT_EQ(error->message, "worker w1 is \"" + name + "\"; sessions are scheduled only on a \"running\" worker");
  }
}

TEST(Scheduling, WorkerAtCapacityIsRefused) {
  const auto error = checkSchedulable(pendingSession(), runningWorker(3), 3);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->where, "worker_id");
  EXPECT_EQ(error->message, "worker w1 (\"running\") is at capacity: 3 live sessions of 3");
}

TEST(Scheduling, WorkerWithoutCapacityIsAlwaysFull) {
  const auto error = checkSchedulable(pendingSession(), runningWorker(0), 0);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "worker w1 (\"running\") is at capacity: 0 live sessions of 0");
}

TEST(Scheduling, SessionStateIsReportedBeforeWorkerState) {
  LabletSession session = pendingSession();
  session.state = SessionState::Terminated;
  Worker worker = runningWorker();
  worker.state = WorkerState::Stopped;
  const auto error = checkSchedulable(session, worker, 99);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->where, "state");
}

}  // namespace
}  // namespace ccm::core
