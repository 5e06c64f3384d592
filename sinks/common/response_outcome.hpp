#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"

// Pure functions: what one HTTP exchange means for the events it carried.
// Shared by every HTTP-based sink; a sink that reads its service's error
// bodies builds on failureOf() and transportOutcome().
namespace ccm::sinks::common {

// At most this many bytes of a failed response's body go into the outcome.
inline constexpr std::size_t kMaxBodyInMessage = 512;

// 408, 429 and 5xx: the request may succeed later (RFC 9110 15.5.9 and 15.6,
// RFC 6585 section 4), whatever the service.
bool isRetryableStatus(int status);

// A transport failure: only a URL the client cannot use fails every time; a
// refused or reset connection, a timeout or a TLS failure may pass later.
sdk::Outcome transportOutcome(const sdk::Error& error);

// A failure response as an outcome: Retryable with the response's Retry-After
// (an HTTP-date measured from `now`) when `retryable`, otherwise Permanent.
// The message is "HTTP <status> <reason>", a note on redirects, then
// ": <detail>" unless `detail` is empty.
sdk::Outcome failureOf(const sdk::HttpResponse& response, bool retryable, std::string_view detail,
                       std::chrono::system_clock::time_point now);

// The generic mapping: 2xx delivered; isRetryableStatus() and transport
// failures (see transportOutcome) retryable; anything else (3xx, other 4xx)
// permanent, with the start of the body as the detail.
sdk::Outcome outcomeOf(const sdk::Result<sdk::HttpResponse>& result, std::chrono::system_clock::time_point now);

// The first kMaxBodyInMessage bytes of a body, cut back to a UTF-8 character boundary.
std::string bodyExcerpt(std::string_view body);

// RFC 9110 section 10.2.3: delta-seconds or an HTTP-date (any of the three
// forms of section 5.6.7); a date already past gives zero. nullopt when the
// value is neither.
std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

}  // namespace ccm::sinks::common
