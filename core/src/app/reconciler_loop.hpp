#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/lifecycle.hpp"

namespace ccm::core {

// Runs Lifecycle::reconcile() every `interval` on its own thread until
// destroyed. A failed pass (store unavailable) is logged and retried on the
// next tick; state lives in the store, so nothing is lost in between.
class ReconcilerLoop {
public:
  ReconcilerLoop(Lifecycle& lifecycle, std::chrono::milliseconds interval);
  ~ReconcilerLoop();
  ReconcilerLoop(const ReconcilerLoop&) = delete;
  ReconcilerLoop& operator=(const ReconcilerLoop&) = delete;

private:
  void run();

  Lifecycle& lifecycle_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ccm::core
