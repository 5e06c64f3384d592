#include "response_outcome.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <string>

namespace ccm::sinks::http {
namespace {

// RFC 9111 section 1.2.2: a delta-seconds too large to represent counts as 2^31.
constexpr std::uint64_t kMaxDeltaSeconds = 2147483648;

std::string_view trim(std::string_view value) {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return value.substr(first, value.find_last_not_of(" \t") - first + 1);
}

std::optional<std::chrono::system_clock::time_point> parseHttpDate(const std::string& value) {
  // IMF-fixdate, then the obsolete RFC 850 and asctime forms recipients must accept.
  constexpr std::array<const char*, 3> kFormats = {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                                                   "%a %b %e %H:%M:%S %Y"};
  for (const char* format : kFormats) {
    std::tm parts{};
    const char* end = ::strptime(value.c_str(), format, &parts);
    if (end == nullptr || *end != '\0') continue;
    const std::time_t seconds = ::timegm(&parts);
    if (seconds == -1) continue;
    return std::chrono::system_clock::from_time_t(seconds);
  }
  return std::nullopt;
}

// The start of a response body for a message, cut at a UTF-8 character boundary.
std::string bodyExcerpt(const std::string& body) {
  if (body.size() <= kMaxBodyInMessage) return body;
  std::size_t size = kMaxBodyInMessage;
  while (size > 0 && (static_cast<unsigned char>(body[size]) & 0xC0) == 0x80) --size;
  return body.substr(0, size);
}

std::string describe(const sdk::HttpResponse& response) {
  std::string message = "HTTP " + std::to_string(response.status);
  if (!response.reason.empty()) message += " " + response.reason;
  if (response.status >= 300 && response.status < 400) {
    message += " (redirects are not followed";
    if (auto location = response.header("Location")) message += "; Location: " + *location;
    message += ")";
  }
  if (!response.body.empty()) message += ": " + bodyExcerpt(response.body);
  return message;
}

}  // namespace

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
  const auto date = parseHttpDate(std::string(value));
  if (!date) return std::nullopt;
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*date - now);
  return std::max(wait, std::chrono::milliseconds::zero());
}

sdk::Outcome outcomeOf(const sdk::Result<sdk::HttpResponse>& result, std::chrono::system_clock::time_point now) {
  if (!result) {
    // Only a URL the client cannot use fails every time; a refused or reset
    // connection, a timeout or a TLS failure may pass on a later attempt.
    const auto& error = result.error();
    return error.where == "url" ? sdk::Outcome::permanent(error.message) : sdk::Outcome::retryable(error.message);
  }
  const auto& response = result.value();
  if (response.status >= 200 && response.status < 300) return sdk::Outcome::delivered();
  if (response.status == 408 || response.status == 429 || (response.status >= 500 && response.status < 600)) {
    std::optional<std::chrono::milliseconds> retry_after;
    if (auto header = response.header("Retry-After")) retry_after = parseRetryAfter(*header, now);
    return sdk::Outcome::retryable(describe(response), retry_after);
  }
  return sdk::Outcome::permanent(describe(response));
}

}  // namespace ccm::sinks::http
