#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ccm::core {

// A fixed set of threads running jobs in the order they were posted, with a
// bounded queue: a job posted while `max_queued` wait is refused, so that an
// overloaded server says so (503) instead of queueing without end.
class WorkerPool {
public:
  WorkerPool(int threads, std::size_t max_queued);
  // Runs what is queued, then joins.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False (and `job` not run) when the queue is full. Jobs must not throw.
  bool tryPost(std::function<void()> job);

private:
  void run();

  std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ccm::core
