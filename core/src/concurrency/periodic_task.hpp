#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace ccm::core {

// Runs `task` every `interval` on its own thread until destroyed (which stops
// and joins it without waiting out the interval). `task` must not throw.
class PeriodicTask {
public:
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> task);
  // A task that returns true has more to do: it runs again at once, without
  // waiting out the interval (still stopping when destroyed). Pass a lambda
  // that returns bool as std::function<bool()>: it would fit either.
  PeriodicTask(std::chrono::milliseconds interval, std::function<bool()> task);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

private:
  void run();

  std::chrono::milliseconds interval_;
  std::function<bool()> task_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ccm::core
