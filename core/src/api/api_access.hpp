#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/router.hpp"
#include "auth/api_authenticator.hpp"
#include "observability/metrics_registry.hpp"

namespace ccm::core {

// The management API's gate (docs/security.md): who calls (authentication),
// whether their role allows the route (authorization), and one audit log
// line per mutating call. Without an authenticator every caller is let in
// as "anonymous" (loopback-only or allow_unauthenticated). Thread-safe; a
// reload swaps the authenticator.
class ApiAccess {
public:
  // ccm_api_auth_failures_total{reason} when `metrics` is not null.
  explicit ApiAccess(MetricsRegistry* metrics);

  void use(std::shared_ptr<const ApiAuthenticator> authenticator);

  // Who called, and the answer when they are not let in (401, 403 or 503).
  struct Admission {
    Principal principal;  // kind "unauthenticated" when the credentials were refused
    std::optional<HttpResponse> refusal;
  };
  // `route` is the matched route's pattern, or "" when none matched. May
  // block (a token naming an unknown key fetches the issuer's keys).
  Admission admit(const HttpRequest& request, const std::optional<std::string>& path, const std::string& route) const;

  // `responder`, writing the audit line of a mutating call (any method but
  // GET and HEAD) when its response goes out; with the call's trace id
  // (its traceparent header) as "trace_id" when it has a valid one.
  static HttpResponder audited(HttpResponder responder, const HttpRequest& request, const std::string& route,
                               const PathParams& params, const Principal& principal);

private:
  std::shared_ptr<const ApiAuthenticator> authenticator() const;
  HttpResponse counted(const std::string& reason, HttpResponse refusal) const;

  MetricsRegistry* metrics_;
  mutable std::mutex mutex_;
  std::shared_ptr<const ApiAuthenticator> authenticator_;
};

}  // namespace ccm::core
