#include "eventgrid_response.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>

#include "common/response_outcome.hpp"

namespace ccm::sinks::eventgrid {
namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  std::ranges::transform(result, result.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

}  // namespace

std::string azureErrorDetail(std::string_view body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (!document.HasParseError() && document.IsObject()) {
    const auto error = document.FindMember("error");
    if (error != document.MemberEnd() && error->value.IsObject()) {
      const auto code = error->value.FindMember("code");
      const auto message = error->value.FindMember("message");
      if (code != error->value.MemberEnd() && code->value.IsString() && message != error->value.MemberEnd() &&
          message->value.IsString()) {
        return common::bodyExcerpt(std::string(code->value.GetString()) + ": " + message->value.GetString());
      }
    }
  }
  return common::bodyExcerpt(body);
}

sdk::Outcome publishOutcome(const sdk::Result<sdk::HttpResponse>& result, std::chrono::system_clock::time_point now) {
  if (!result) return common::transportOutcome(result.error());
  const auto& response = result.value();
  if (response.status >= 200 && response.status < 300) return sdk::Outcome::delivered();
  const std::string detail = azureErrorDetail(response.body);
  // Namespace topics answer 403 both for an exhausted throughput quota and for
  // a message too large; only the first passes by waiting.
  const bool quota = response.status == 403 && lower(detail).find("quota") != std::string::npos;
  return common::failureOf(response, quota || common::isRetryableStatus(response.status), detail, now);
}

}  // namespace ccm::sinks::eventgrid
