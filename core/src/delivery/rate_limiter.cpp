#include "delivery/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace ccm::core {

RateLimiter::RateLimiter(Settings settings, Clock::time_point now)
    : settings_(settings), tokens_(static_cast<double>(settings.burst)), refilled_at_(now) {}

double RateLimiter::tokensAt(Clock::time_point now) const {
  if (now <= refilled_at_) return tokens_;
  const double seconds = std::chrono::duration<double>(now - refilled_at_).count();
  return std::min(static_cast<double>(settings_.burst), tokens_ + seconds * settings_.events_per_second);
}

std::size_t RateLimiter::available(Clock::time_point now) {
  tokens_ = tokensAt(now);
  refilled_at_ = std::max(refilled_at_, now);
  return static_cast<std::size_t>(std::floor(tokens_));
}

void RateLimiter::take(std::size_t events) { tokens_ -= static_cast<double>(events); }

RateLimiter::Clock::time_point RateLimiter::nextAvailableAt(Clock::time_point now) const {
  const double tokens = tokensAt(now);
  if (tokens >= 1) return now;
  const double wait = (1 - tokens) / settings_.events_per_second;
  return now + std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(wait));
}

}  // namespace ccm::core
