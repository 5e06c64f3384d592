#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"

// Pure functions: what one HTTP exchange means for the events it carried.
namespace ccm::sinks::http {

// At most this many bytes of a failed response's body go into the outcome.
inline constexpr std::size_t kMaxBodyInMessage = 512;

// 2xx: delivered. 408, 429, 5xx and transport failures: retryable, with the
// response's Retry-After. Anything else (3xx, other 4xx, an unusable URL):
// permanent. `now` dates an HTTP-date Retry-After.
sdk::Outcome outcomeOf(const sdk::Result<sdk::HttpResponse>& result, std::chrono::system_clock::time_point now);

// RFC 9110 section 10.2.3: delta-seconds or an HTTP-date (any of the three
// forms of section 5.6.7); a date already past gives zero. nullopt when the
// value is neither.
std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

}  // namespace ccm::sinks::http
