#include "common/oauth_token.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>

#include "common/response_outcome.hpp"

namespace ccm::sinks::common {
namespace {

using namespace std::chrono_literals;

std::string_view stringMember(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::optional<std::uint64_t> expiresIn(const rapidjson::Value& object) {
  const auto it = object.FindMember("expires_in");
  if (it == object.MemberEnd()) return std::nullopt;
  if (it->value.IsUint64()) return it->value.GetUint64();
  const std::string_view digits = stringMember(object, "expires_in");
  std::uint64_t seconds = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return seconds;
}

sdk::Outcome inContext(sdk::Outcome outcome, std::string_view context) {
  outcome.message = std::string(context) + outcome.message;
  return outcome;
}

}  // namespace

std::variant<IssuedToken, sdk::Outcome> readTokenResponse(const sdk::Result<sdk::HttpResponse>& result,
                                                          std::chrono::system_clock::time_point now,
                                                          std::string_view context) {
  if (!result) return inContext(transportOutcome(result.error()), context);
  const auto& response = result.value();
  rapidjson::Document body;
  body.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  const bool is_object = !body.HasParseError() && body.IsObject();
  if (response.status == 200) {
    const std::string_view token = is_object ? stringMember(body, "access_token") : std::string_view{};
    const auto lifetime = is_object ? expiresIn(body) : std::nullopt;
    if (!token.empty() && lifetime && *lifetime > 0) {
      // A day is more than any token endpoint grants; a larger number would overflow the clock.
      return IssuedToken{std::string(token), std::chrono::seconds(std::min<std::uint64_t>(*lifetime, 86400))};
    }
    // The endpoint is broken rather than the request wrong; a later attempt
    // may work. The body is not quoted: it may hold a real access token.
    const std::string missing = token.empty() ? "access_token" : "a positive integer expires_in";
    return inContext(sdk::Outcome::retryable("HTTP 200 without " + missing), context);
  }
  std::string detail = bodyExcerpt(response.body);
  if (is_object && !stringMember(body, "error").empty()) {
    detail = std::string(stringMember(body, "error")) + ": " + std::string(stringMember(body, "error_description"));
  }
  return inContext(failureOf(response, isRetryableStatus(response.status), detail, now), context);
}

bool CachedToken::usableAt(std::chrono::system_clock::time_point now) const {
  const auto margin = std::min<std::chrono::system_clock::duration>(5min, (expires - issued) / 2);
  return !value.empty() && now < expires - margin;
}

std::variant<std::string, sdk::Outcome> BearerToken::authorization(std::chrono::system_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!token_.usableAt(now)) {
    auto answer = fetch_();
    if (auto* failure = std::get_if<sdk::Outcome>(&answer)) return std::move(*failure);
    auto& issued = std::get<IssuedToken>(answer);
    token_ = {std::move(issued.access_token), now, now + issued.lifetime};
  }
  return "Bearer " + token_.value;
}

void BearerToken::drop() {
  std::lock_guard lock(mutex_);
  token_ = {};
}

}  // namespace ccm::sinks::common
