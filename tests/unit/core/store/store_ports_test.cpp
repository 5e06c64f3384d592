#include <gtest/gtest.h>

#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

LabletSession sessionOn(const std::string& id, const std::string& worker, PortAllocation ports) {
  auto session = sampleSession(id);
  session.worker_id = worker;
  session.allocated_ports = std::move(ports);
  return session;
}

TEST_P(StoreTest, SamePortOnSameWorkerCannotBeAllocatedTwice) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto transaction = store->begin();
    transaction->saveSession(sessionOn("session-1", "worker-1", {{"r1/serial0", 6001}}));
    transaction->commit();
  }
  auto transaction = store->begin();
  try {
    transaction->saveSession(sessionOn("session-2", "worker-1", {{"r2/serial0", 6001}}));
    FAIL() << "port 6001 was allocated twice on worker-1";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("port 6001 on worker worker-1"), std::string::npos) << message;
    EXPECT_NE(message.find("session-1"), std::string::npos) << message;
  }
}

TEST_P(StoreTest, RefusedAllocationCommitsNothing) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto transaction = store->begin();
    transaction->saveSession(sessionOn("session-1", "worker-1", {{"r1/serial0", 6001}}));
    transaction->commit();
  }
  {
    auto transaction = store->begin();
    EXPECT_THROW(transaction->saveSession(sessionOn("session-2", "worker-1", {{"a", 6002}, {"b", 6001}})), StoreError);
  }
  EXPECT_FALSE(store->begin()->findSession("session-2"));
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM port_allocations"), 1);
}

TEST_P(StoreTest, SamePortOnDifferentWorkersIsFine) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  transaction->saveSession(sessionOn("session-1", "worker-1", {{"r1/serial0", 6001}}));
  transaction->saveSession(sessionOn("session-2", "worker-2", {{"r1/serial0", 6001}}));
  transaction->commit();
  EXPECT_EQ(queryInteger("SELECT COUNT(*) FROM port_allocations WHERE port = 6001"), 2);
}

TEST_P(StoreTest, TwoAnnotationsOfOneSessionCannotShareAPort) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  EXPECT_THROW(transaction->saveSession(sessionOn("session-1", "worker-1", {{"r1/serial0", 6001}, {"r1/vnc", 6001}})),
               StoreError);
}

TEST_P(StoreTest, ResavingASessionKeepsItsOwnPorts) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  auto session = sessionOn("session-1", "worker-1", {{"r1/serial0", 6001}, {"r1/vnc", 6002}});
  transaction->saveSession(session);
  session.state = SessionState::Ready;
  session.allocated_ports.erase("r1/vnc");
  transaction->saveSession(session);
  transaction->commit();
  EXPECT_EQ(queryTexts("SELECT annotation FROM port_allocations WHERE worker_id = 'worker-1'"),
            std::vector<std::string>{"r1/serial0"});
}

TEST_P(StoreTest, SavingWithoutAllocationsReleasesThePorts) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto transaction = store->begin();
    transaction->saveSession(sessionOn("session-1", "worker-1", {{"r1/serial0", 6001}}));
    transaction->commit();
  }
  {
    auto transaction = store->begin();
    auto released = *transaction->findSession("session-1", true);
    released.state = SessionState::Stopped;
    released.allocated_ports.clear();
    transaction->saveSession(released);
    transaction->commit();
  }
  auto transaction = store->begin();
  EXPECT_NO_THROW(transaction->saveSession(sessionOn("session-2", "worker-1", {{"r2/serial0", 6001}})));
  transaction->commit();
  EXPECT_EQ(queryTexts("SELECT session_id FROM port_allocations"), std::vector<std::string>{"session-2"});
}

TEST_P(StoreTest, PortsWithoutAWorkerAreRefused) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  EXPECT_THROW(transaction->saveSession(sessionOn("session-1", "", {{"r1/serial0", 6001}})), StoreError);
}

}  // namespace
}  // namespace ccm::core::store_test
