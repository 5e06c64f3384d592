// PeriodicTask: runs on its thread every interval, at once again while the
// task says it has more to do, and stops when destroyed.
#include "concurrency/periodic_task.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

namespace ccm::core {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicTask, ATaskWithMoreToDoRunsAgainWithoutWaitingOutTheInterval) {
  std::mutex mutex;
  std::condition_variable ran;
  std::vector<std::chrono::steady_clock::time_point> runs;
  {
    // The first run comes after the interval; the next two at once, because
    // the task asks for them; then the interval again.
    constexpr auto kInterval = 2s;
    PeriodicTask task(kInterval, std::function<bool()>([&] {
                        std::lock_guard lock(mutex);
                        runs.push_back(std::chrono::steady_clock::now());
                        ran.notify_all();
                        return runs.size() < 3;
                      }));
    std::unique_lock lock(mutex);
    ASSERT_TRUE(ran.wait_for(lock, 30s, [&] { return runs.size() >= 3; }));
    EXPECT_LT(runs[2] - runs[0], kInterval) << "the second and third run did not wait out the interval";
  }
  EXPECT_EQ(runs.size(), 3u) << "destroyed before the interval after the third";
}

TEST(PeriodicTask, ATaskThatIsDoneWaitsTheIntervalAndDestroyingStopsItWithoutWaiting) {
  int runs = 0;
  const auto started = std::chrono::steady_clock::now();
  {
    PeriodicTask task(1h, [&] { ++runs; });
  }
  EXPECT_EQ(runs, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
}

}  // namespace
}  // namespace ccm::core
