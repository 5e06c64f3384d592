#pragma once

#include <chrono>
#include <string>
#include <variant>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"
#include "eventgrid_sink_config.hpp"

// The OAuth 2.0 client-credentials grant against Microsoft Entra ID, as pure
// functions: the request it sends and what its answer means.
namespace ccm::sinks::eventgrid {

struct IssuedToken {
  std::string access_token;
  std::chrono::seconds lifetime{0};  // expires_in
};

// RFC 6749 section 4.4.2: the form-encoded token request body.
std::string tokenRequestBody(const EntraSettings& entra);

// RFC 6749 section 5.1: 200 with access_token and expires_in (a number, or a
// string of digits as some Entra endpoints send it). Otherwise the outcome the
// events waiting on the token get: transport failures, 408, 429 and 5xx
// retryable; anything else (a wrong secret, an unknown client or scope)
// permanent, with the error and error_description of section 5.2.
std::variant<IssuedToken, sdk::Outcome> readTokenResponse(const sdk::Result<sdk::HttpResponse>& result,
                                                          std::chrono::system_clock::time_point now);

}  // namespace ccm::sinks::eventgrid
