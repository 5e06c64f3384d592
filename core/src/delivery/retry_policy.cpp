#include "delivery/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace ccm::core {

std::chrono::milliseconds retryDelay(const DeliverySettings& settings, int attempts,
                                     std::optional<std::chrono::milliseconds> retry_after, std::mt19937_64& random) {
  const double exponent = std::max(0, attempts - 1);
  const double ceiling = std::min(static_cast<double>(settings.max_backoff.count()),
                                  settings.initial_backoff.count() * std::pow(settings.backoff_multiplier, exponent));
  std::uniform_real_distribution<double> jitter(0.0, std::max(0.0, ceiling));
  auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(jitter(random)));
  if (retry_after && *retry_after > delay) delay = *retry_after;
  return delay;
}

}  // namespace ccm::core
