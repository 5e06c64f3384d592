#include "app/reconciler_loop.hpp"

#include <Poco/Logger.h>

#include "observability/json_log.hpp"

namespace ccm::core {

ReconcilerLoop::ReconcilerLoop(Lifecycle& lifecycle, std::chrono::milliseconds interval)
    : lifecycle_(lifecycle), interval_(interval), thread_([this] { run(); }) {}

ReconcilerLoop::~ReconcilerLoop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ReconcilerLoop::run() {
  auto& log = Poco::Logger::get("ccm.reconciler");
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    try {
      if (const int changed = lifecycle_.reconcile(); changed > 0) {
        logWithFields(log, sdk::LogLevel::Info, "reconciled sessions", {{"changed", std::to_string(changed)}});
      }
    } catch (const std::exception& e) {
      logWithFields(log, sdk::LogLevel::Error, "reconciliation pass failed", {{"error", e.what()}});
    }
    lock.lock();
  }
}

}  // namespace ccm::core
