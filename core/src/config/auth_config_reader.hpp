#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "auth/auth_settings.hpp"
#include "ccm/sdk/result.hpp"

// server.auth and a source's "auth": {"jwt": ...}: what the schema cannot
// check (docs/security.md). Errors name the JSON pointer at fault.
namespace ccm::core {

// An OIDC object at `pointer` (schema-valid): the issuer must be https://,
// or http:// on a loopback address.
std::optional<sdk::Error> readOidc(const rapidjson::Value& value, const std::string& pointer, OidcSettings& out);

// server.auth (schema-valid).
std::optional<sdk::Error> readApiAuth(const rapidjson::Value& value, ApiAuthConfig& out);

}  // namespace ccm::core
