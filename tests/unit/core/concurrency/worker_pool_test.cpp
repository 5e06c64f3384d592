#include "concurrency/worker_pool.hpp"

#include <atomic>
#include <future>

#include <gtest/gtest.h>

namespace ccm::core {
namespace {

TEST(WorkerPool, RefusesJobsBeyondTheQueueLimitAndRunsTheRest) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::atomic<int> ran{0};
  {
    WorkerPool pool(1, 2);
    // One job holds the only worker; two may wait; the fourth is refused.
    ASSERT_TRUE(pool.tryPost([&] {
      started.set_value();
      released.wait();
      ++ran;
    }));
    started.get_future().wait();
    EXPECT_TRUE(pool.tryPost([&] { ++ran; }));
    EXPECT_TRUE(pool.tryPost([&] { ++ran; }));
    EXPECT_FALSE(pool.tryPost([&] { ran += 100; }));
    release.set_value();
  }  // the destructor runs what is queued
  EXPECT_EQ(ran.load(), 3);
}

TEST(WorkerPool, RunsJobsConcurrentlyOnItsThreads) {
  std::promise<void> first_in;
  std::promise<void> second_in;
  std::shared_future<void> both = second_in.get_future().share();
  WorkerPool pool(2, 8);  // declared last: joined before the promises its jobs use go away
  ASSERT_TRUE(pool.tryPost([&first_in, both] {
    first_in.set_value();
    both.wait();
  }));
  first_in.get_future().wait();
  // Would deadlock on one thread: the first job waits for the second.
  ASSERT_TRUE(pool.tryPost([&] { second_in.set_value(); }));
  EXPECT_EQ(both.wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

}  // namespace
}  // namespace ccm::core
