#include "api/api_access.hpp"

#include <Poco/Logger.h>

#include "api/error_status.hpp"
#include "ccm/sdk/trace_context.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {
namespace {

// RFC 6750 3: error_description is quoted text without '"' or '\'.
std::string quotable(std::string text) {
  for (char& c : text) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '\'';
  }
  return text;
}

std::string listed(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + "]";
}

HttpResponse unauthorized(const AuthRefusal& refusal) {
  if (refusal.category != ErrorCategory::Unauthenticated) {
    auto response = problemResponse(httpStatus(refusal.category), refusal.detail, {{"reason", refusal.reason}});
    response.headers.emplace_back("Retry-After", "5");
    return response;
  }
  auto response = problemResponse(401, refusal.detail, {{"reason", refusal.reason}});
  std::string challenge = "Bearer realm=\"ccm-gateway\"";
  if (!refusal.bearer_error.empty()) {
    challenge += ", error=\"" + refusal.bearer_error + "\", error_description=\"" + quotable(refusal.detail) + "\"";
  }
  response.headers.emplace_back("WWW-Authenticate", std::move(challenge));
  return response;
}

HttpResponse forbidden(const HttpRequest& request, const std::string& route, Role needed, const Principal& principal) {
  const std::string detail = request.method + " " + route + " needs role " + std::string(roleName(needed)) + "; " +
                             principal.kind + " \"" + principal.name + "\" has roles " +
                             listed(principal.roles.names) + " (" + principal.roles_from + ")";
  return problemResponse(403, detail, {{"required_role", roleName(needed)}});
}

}  // namespace

ApiAccess::ApiAccess(MetricsRegistry* metrics) : metrics_(metrics) {
  if (metrics_ != nullptr) {
    metrics_->describe("ccm_api_auth_failures_total", sdk::MetricType::Counter,
                       "Management API requests refused for their credentials (401, 503) or role (forbidden), by reason.");
  }
}

void ApiAccess::use(std::shared_ptr<const ApiAuthenticator> authenticator) {
  std::lock_guard lock(mutex_);
  authenticator_ = std::move(authenticator);
}

std::shared_ptr<const ApiAuthenticator> ApiAccess::authenticator() const {
  std::lock_guard lock(mutex_);
  return authenticator_;
}

HttpResponse ApiAccess::counted(const std::string& reason, HttpResponse refusal) const {
  if (metrics_ != nullptr) metrics_->add("ccm_api_auth_failures_total", 1, {{"reason", reason}});
  return refusal;
}

ApiAccess::Admission ApiAccess::admit(const HttpRequest& request, const std::optional<std::string>& path,
                                      const std::string& route) const {
  const auto authenticator = this->authenticator();
  if (!authenticator) return {Principal{"anonymous", "anonymous", "", {}, "no server.auth"}, std::nullopt};
  // Public paths are read-only: listing a path must not open its commands.
  if (path && (request.method == "GET" || request.method == "HEAD") && authenticator->isPublic(*path)) {
    return {Principal{"public", "anonymous", "", {}, "server.auth.public_paths"}, std::nullopt};
  }
  auto who = authenticator->authenticate(request);
  if (auto* refusal = std::get_if<AuthRefusal>(&who)) {
    return {Principal{"unauthenticated", "", "", {}, ""}, counted(refusal->reason, unauthorized(*refusal))};
  }
  auto& principal = std::get<Principal>(who);
  const std::string& named = route.empty() ? path.value_or(request.target) : route;
  const Role needed = requiredRole(request.method, named);
  if (!principal.roles.allows(needed)) {
    auto refusal = counted("forbidden", forbidden(request, named, needed, principal));
    return {std::move(principal), std::move(refusal)};
  }
  return {std::move(principal), std::nullopt};
}

HttpResponder ApiAccess::audited(HttpResponder responder, const HttpRequest& request, const std::string& route,
                                 const PathParams& params, const Principal& principal) {
  if (request.method == "GET" || request.method == "HEAD") return responder;
  const auto id = params.find("id");
  return responder.observed(
      [fields = sdk::LogFields{{"principal", principal.name},
                               {"principal_kind", principal.kind},
                               {"subject", principal.subject},
                               {"roles", listed(principal.roles.names)},
                               {"method", request.method},
                               {"route", route.empty() ? "(unmatched)" : route},
                               {"target", id == params.end() ? "" : id->second}},
       trace = sdk::readTraceHeaders(request.headers).context](const HttpResponse& response) mutable {
        auto line = fields;
        if (trace) line.emplace_back("trace_id", trace->trace_id);
        line.emplace_back("status", std::to_string(response.status));
        logWithFields(Poco::Logger::get("ccm.audit"), sdk::LogLevel::Info, "api call", line);
      });
}

}  // namespace ccm::core
