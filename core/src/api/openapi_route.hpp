#pragma once

#include <string_view>

#include "api/router.hpp"

namespace ccm::core {

inline constexpr std::string_view kOpenApiPath = "/api/v1/openapi.json";

// The OpenAPI 3.1 document of the REST API: core/src/api/openapi.json,
// embedded at build time (so the gateway reads no file to serve it).
std::string_view openApiDocument();

// GET /api/v1/openapi.json: the document, as application/json. It is in the
// default server.auth.public_paths: code generators fetch it without
// credentials, and it holds nothing the docs do not say.
void addOpenApiRoute(Router& router);

}  // namespace ccm::core
