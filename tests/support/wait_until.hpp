#pragma once

#include <chrono>
#include <thread>

namespace ccm::testing {

// Polls `condition` until it holds (true) or `limit` passes (false).
template <class Condition>
bool waitUntil(std::chrono::milliseconds limit, Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace ccm::testing
