// What cloud services answer the sinks, as the sinks read it: a token
// endpoint's answer (OAuth 2.0, Entra ID, Google), a Pub/Sub publish answer
// and any HTTP receiver's answer. The first byte picks the status and a
// Retry-After header; the rest is the body. No answer crashes a reader, and
// none turns a failure status into a success.
#include <chrono>
#include <string>

#include "common/oauth_token.hpp"
#include "common/response_outcome.hpp"
#include "fuzz_target.hpp"
#include "pubsub_message.hpp"

namespace {

constexpr int kStatuses[] = {200, 201, 204, 400, 401, 403, 404, 408, 409, 429, 500, 502, 503, 504, 302, 100};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = ccm::fuzz::asText(data + 1, size - 1);
  ccm::sdk::HttpResponse response;
  response.status = kStatuses[data[0] % std::size(kStatuses)];
  response.reason = "Reason";
  if (data[0] & 0x10) response.headers.emplace_back("Retry-After", std::string(text.substr(0, 40)));
  response.body = std::string(text);
  const ccm::sdk::Result<ccm::sdk::HttpResponse> result(response);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));
  const bool success = response.status >= 200 && response.status < 300;

  const auto token = ccm::sinks::common::readTokenResponse(result, now, "token");
  if (std::holds_alternative<ccm::sinks::common::IssuedToken>(token) && response.status != 200) {
    ccm::fuzz::propertyFailed("a token from an answer that is not 200");
  }
  for (const std::size_t count : {std::size_t{1}, std::size_t{3}}) {
    const auto published = ccm::sinks::pubsub::publishOutcome(result, count, now);
    if (published.kind == ccm::sdk::Outcome::Kind::Delivered && !success) {
      ccm::fuzz::propertyFailed("a publish delivered by a failure status");
    }
  }
  const auto answered = ccm::sinks::common::outcomeOf(result, now);
  if (answered.kind == ccm::sdk::Outcome::Kind::Delivered && !success) {
    ccm::fuzz::propertyFailed("an event delivered by a failure status");
  }
  return 0;
}
