#include "delivery/retention_pacer.hpp"

#include <algorithm>
#include <thread>

namespace ccm::core {

RetentionPacer::RetentionPacer(std::size_t max_size, std::size_t min_size, std::chrono::milliseconds target, Rest rest)
    : max_size_(std::max<std::size_t>(1, max_size)),
      min_size_(std::clamp<std::size_t>(min_size, 1, max_size_)),
      target_(target),
      rest_(std::move(rest)),
      size_(target == std::chrono::milliseconds::zero() ? max_size_ : std::clamp(kFirstSize, min_size_, max_size_)) {}

void RetentionPacer::pace(Clock::duration took) {
  if (target_ == Clock::duration::zero()) return;
  // The size that would have taken `target`, moved at most a factor of two.
  std::size_t next = size_ * 2;
  if (took > Clock::duration::zero()) {
    const double ideal =
        static_cast<double>(size_) * static_cast<double>(target_.count()) / static_cast<double>(took.count());
    next = static_cast<std::size_t>(std::clamp(ideal, static_cast<double>(size_) / 2, static_cast<double>(size_) * 2));
  }
  size_ = std::clamp(next, min_size_, max_size_);
  if (took > Clock::duration::zero()) rest_(took / rest_divisor_);
}

void RetentionPacer::loopEnded(bool behind) {
  rest_divisor_ = behind ? std::min(rest_divisor_ * 2, kMaxRestDivisor) : std::max(rest_divisor_ / 2, 1);
}

void RetentionPacer::defaultRest(Clock::duration how_long) {
  std::this_thread::sleep_for(how_long);
}

}  // namespace ccm::core
