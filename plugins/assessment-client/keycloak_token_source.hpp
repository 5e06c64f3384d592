#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "call_failure.hpp"
#include "ccm/sdk/host.hpp"
#include "client_config.hpp"

namespace ccm::plugins::assessment_client {

// An OAuth 2.0 client-credentials access token from Keycloak (RFC 6749 4.4),
// cached until shortly before it expires. Thread-safe; concurrent callers
// wait for one fetch instead of each fetching.
class KeycloakTokenSource {
public:
  KeycloakTokenSource(const AssessmentClientConfig& config, sdk::Host& host, sdk::HttpClient& http);

  // The cached token while it is fresh, else a new one. A failure is
  // transient when Keycloak was unreachable or answered 429 or 5xx.
  Attempt<std::string> token();
  // Forgets `rejected` if it is still the cached token (the platform answered
  // 401), so the next token() fetches a new one.
  void invalidate(const std::string& rejected);

private:
  Attempt<std::string> fetch(std::chrono::system_clock::time_point now);
  sdk::HttpRequest tokenRequest() const;

  const AssessmentClientConfig& config_;
  sdk::Host& host_;
  sdk::HttpClient& http_;
  std::mutex mutex_;
  std::string token_;
  std::chrono::system_clock::time_point refresh_at_{};
};

}  // namespace ccm::plugins::assessment_client
