#pragma once

#include <string>
#include <string_view>

#include "eventgrid_sink_config.hpp"

// The OAuth 2.0 client-credentials grant against Microsoft Entra ID: the
// request it sends (common::readTokenResponse reads the answer).
namespace ccm::sinks::eventgrid {

// What every Entra token failure's message starts with.
inline constexpr std::string_view kEntraTokenFailure = "Microsoft Entra token request failed: ";

// RFC 6749 section 4.4.2: the form-encoded token request body.
std::string tokenRequestBody(const EntraSettings& entra);

}  // namespace ccm::sinks::eventgrid
