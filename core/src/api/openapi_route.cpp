#include "api/openapi_route.hpp"

#include "api/json_request.hpp"
#include "openapi_document.hpp"

namespace ccm::core {

std::string_view openApiDocument() {
  return kOpenApiDocument;
}

void addOpenApiRoute(Router& router) {
  // application/json rather than application/vnd.oai.openapi+json: what
  // browsers, curl | jq and code generators expect of a .json URL.
  router.add("GET", std::string(kOpenApiPath),
             [](const HttpRequest&, const PathParams&) { return jsonResponse(200, std::string(openApiDocument())); });
}

}  // namespace ccm::core
