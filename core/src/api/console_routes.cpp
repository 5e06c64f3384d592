#include "api/console_routes.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/json_request.hpp"

namespace ccm::core {
namespace {

// scheme://host[:port] of a URL (the CSP source of an issuer).
std::string originOf(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  const auto path = url.find('/', scheme_end + 3);
  return url.substr(0, path);
}

HttpResponse withConsoleHeaders(HttpResponse response, const std::string& policy) {
  response.headers.emplace_back("Content-Security-Policy", policy);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  // Files change with the gateway's version: always revalidated, never stale.
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

std::string signInJson(const ConsoleSignIn& sign_in) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("auth_required");
  w.Bool(sign_in.auth_required);
  w.Key("oidc");
  if (sign_in.oidc_issuer.empty() || sign_in.oidc_client_id.empty()) {
    w.Null();
  } else {
    w.StartObject();
    w.Key("issuer");
    w.String(sign_in.oidc_issuer);
    w.Key("client_id");
    w.String(sign_in.oidc_client_id);
    w.EndObject();
  }
  w.EndObject();
  return buffer.GetString();
}

}  // namespace

std::string consoleContentSecurityPolicy(const std::string& oidc_issuer) {
  const auto issuer = originOf(oidc_issuer);
  return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'" +
         (issuer.empty() ? std::string() : " " + issuer) +
         "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

void addConsoleRoutes(Router& router, std::shared_ptr<const ConsoleFiles> files, ConsoleSignIn sign_in) {
  const auto policy = consoleContentSecurityPolicy(sign_in.oidc_issuer);
  // "/console" and "/console/" are one route; the page names its files by
  // absolute paths, so either works.
  router.add(
      "GET", "/console",
      [files, policy](const HttpRequest&, const PathParams&) {
        const auto* index = files->find("index.html");
        return withConsoleHeaders(bodyResponse(200, index->content_type, index->body), policy);
      },
      RouteAccess::Public);
  router.add(
      "GET", "/console/config.json",
      [policy, config = signInJson(sign_in)](const HttpRequest&, const PathParams&) {
        return withConsoleHeaders(jsonResponse(200, config), policy);
      },
      RouteAccess::Public);
  router.add(
      "GET", "/console/{file}",
      [files, policy](const HttpRequest&, const PathParams& params) {
        const auto& name = params.at("file");
        const auto* file = files->find(name);
        if (file == nullptr) {
          return withConsoleHeaders(problemResponse(404, "the console has no file \"" + name + "\""), policy);
        }
        return withConsoleHeaders(bodyResponse(200, file->content_type, file->body), policy);
      },
      RouteAccess::Public);
}

}  // namespace ccm::core
