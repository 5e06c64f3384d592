#pragma once

#include <chrono>
#include <optional>
#include <random>

#include "delivery/delivery_settings.hpp"

namespace ccm::core {

// How long to wait before attempt `attempts + 1`: exponential backoff with
// full jitter (uniform in [0, min(max, initial * multiplier^(attempts-1))]),
// but never less than the receiver's Retry-After.
std::chrono::milliseconds retryDelay(const DeliverySettings& settings, int attempts,
                                     std::optional<std::chrono::milliseconds> retry_after, std::mt19937_64& random);

}  // namespace ccm::core
