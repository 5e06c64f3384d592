#include "common/response_outcome.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "ccm/sdk/text.hpp"
#include "ccm/sdk/time.hpp"

namespace ccm::sinks::common {
namespace {

// RFC 9111 section 1.2.2: a delta-seconds too large to represent counts as 2^31.
constexpr std::uint64_t kMaxDeltaSeconds = 2147483648;

std::string_view trim(std::string_view value) {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return value.substr(first, value.find_last_not_of(" \t") - first + 1);
}

std::string statusLine(const sdk::HttpResponse& response) {
  std::string line = "HTTP " + std::to_string(response.status);
  if (!response.reason.empty()) line += " " + response.reason;
  if (response.status >= 300 && response.status < 400) {
    line += " (redirects are not followed";
    if (auto location = response.header("Location")) line += "; Location: " + *location;
    line += ")";
  }
  return line;
}

}  // namespace

bool isRetryableStatus(int status) {
  return status == 408 || status == 429 || (status >= 500 && status < 600);
}

sdk::Outcome transportOutcome(const sdk::Error& error) {
  return error.where == "url" ? sdk::Outcome::permanent(error.message) : sdk::Outcome::retryable(error.message);
}

sdk::Outcome failureOf(const sdk::HttpResponse& response, bool retryable, std::string_view detail,
                       std::chrono::system_clock::time_point now) {
  std::string message = statusLine(response);
  if (!detail.empty()) message += ": " + std::string(detail);
  if (!retryable) return sdk::Outcome::permanent(std::move(message)).withHttpStatus(response.status);
  std::optional<std::chrono::milliseconds> retry_after;
  if (auto header = response.header("Retry-After")) retry_after = parseRetryAfter(*header, now);
  return sdk::Outcome::retryable(std::move(message), retry_after).withHttpStatus(response.status);
}

sdk::Outcome outcomeOf(const sdk::Result<sdk::HttpResponse>& result, std::chrono::system_clock::time_point now) {
  if (!result) return transportOutcome(result.error());
  const auto& response = result.value();
  if (response.status >= 200 && response.status < 300) return sdk::Outcome::delivered().withHttpStatus(response.status);
  return failureOf(response, isRetryableStatus(response.status), bodyExcerpt(response.body), now);
}

std::string bodyExcerpt(std::string_view body) {
  return std::string(sdk::utf8Prefix(body, kMaxBodyInMessage));
}

std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::ranges::all_of(value, [](unsigned char c) { return std::isdigit(c) != 0; })) {
    std::uint64_t seconds = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error == std::errc::result_out_of_range || seconds > kMaxDeltaSeconds) seconds = kMaxDeltaSeconds;
    return std::chrono::seconds(seconds);
  }
  const auto date = sdk::parseHttpDate(value);
  if (!date) return std::nullopt;
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*date - now);
  return std::max(wait, std::chrono::milliseconds::zero());
}

}  // namespace ccm::sinks::common
