#include "entra_token.hpp"

#include <rapidjson/document.h>

#include <charconv>
#include <optional>
#include <string_view>

#include "common/percent_encoding.hpp"
#include "common/response_outcome.hpp"

namespace ccm::sinks::eventgrid {
namespace {

constexpr std::string_view kContext = "Microsoft Entra token request failed: ";

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

sdk::Outcome inContext(sdk::Outcome outcome) {
  outcome.message = std::string(kContext) + outcome.message;
  return outcome;
}

}  // namespace

std::string tokenRequestBody(const EntraSettings& entra) {
  using common::percentEncode;
  using common::Space;
  return "grant_type=client_credentials&client_id=" + percentEncode(entra.client_id, Space::Plus) +
         "&client_secret=" + percentEncode(entra.client_secret, Space::Plus) +
         "&scope=" + percentEncode(entra.scope, Space::Plus);
}

std::variant<IssuedToken, sdk::Outcome> readTokenResponse(const sdk::Result<sdk::HttpResponse>& result,
                                                          std::chrono::system_clock::time_point now) {
  if (!result) return inContext(common::transportOutcome(result.error()));
  const auto& response = result.value();
  rapidjson::Document body;
  body.Parse(response.body.data(), response.body.size());
  const bool is_object = !body.HasParseError() && body.IsObject();
  if (response.status == 200) {
    const std::string_view token = is_object ? stringMember(body, "access_token") : std::string_view{};
    const auto lifetime = is_object ? expiresIn(body) : std::nullopt;
    if (!token.empty() && lifetime && *lifetime > 0) {
      return IssuedToken{std::string(token), std::chrono::seconds(*lifetime)};
    }
    // The endpoint is broken rather than the request wrong; a later attempt may work.
    return inContext(
        sdk::Outcome::retryable("HTTP 200 without access_token and expires_in: " + common::bodyExcerpt(response.body)));
  }
  std::string detail = common::bodyExcerpt(response.body);
  if (is_object && !stringMember(body, "error").empty()) {
    detail = std::string(stringMember(body, "error")) + ": " + std::string(stringMember(body, "error_description"));
  }
  return inContext(common::failureOf(response, common::isRetryableStatus(response.status), detail, now));
}

}  // namespace ccm::sinks::eventgrid
