#include "concurrency/periodic_task.hpp"

namespace ccm::core {

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<void()> task)
    : PeriodicTask(interval, std::function<bool()>([task = std::move(task)] {
                     task();
                     return false;
                   })) {}

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<bool()> task)
    : interval_(interval), task_(std::move(task)), thread_([this] { run(); }) {}

PeriodicTask::~PeriodicTask() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PeriodicTask::run() {
  std::unique_lock lock(mutex_);
  bool more = false;
  while (!wake_.wait_for(lock, more ? std::chrono::milliseconds::zero() : interval_, [this] { return stopping_; })) {
    lock.unlock();
    more = task_();
    lock.lock();
  }
}

}  // namespace ccm::core
