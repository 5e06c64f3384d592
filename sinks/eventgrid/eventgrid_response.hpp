#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"

// Pure functions: what Event Grid's answer to one publish request means. The
// service takes or refuses a request whole, so every event in it shares the outcome.
namespace ccm::sinks::eventgrid {

// Azure's error body, {"error": {"code": "...", "message": "..."}}, as
// "<code>: <message>"; the start of the body when it has another shape.
std::string azureErrorDetail(std::string_view body);

// 2xx: delivered (200 with an empty body for custom topics, "{}" for
// namespace topics). 403 whose error code or message names a quota: retryable,
// as the quota refills every second; any other 403 (a message too large, a
// role missing) is permanent. Transport failures, 408, 429 and 5xx: retryable
// with Retry-After. Anything else (400, 401, 404, 410, 413, ...): permanent.
// Failures carry Azure's error code and message.
sdk::Outcome publishOutcome(const sdk::Result<sdk::HttpResponse>& result, std::chrono::system_clock::time_point now);

}  // namespace ccm::sinks::eventgrid
