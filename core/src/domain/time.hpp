#pragma once

#include <chrono>
#include <string>

// How the gateway writes times: in aggregates, events, leases and the store.
namespace ccm::core {

// RFC 3339 UTC timestamp with milliseconds, e.g. "2026-11-23T10:35:42.123Z".
std::string formatUtc(std::chrono::system_clock::time_point time);
// formatUtc of now.
std::string utcNow();

}  // namespace ccm::core
