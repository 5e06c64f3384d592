#pragma once

#include <memory>
#include <string>

#include "call_failure.hpp"
#include "ccm/sdk/assessment_client.hpp"
#include "ccm/sdk/plugin.hpp"
#include "circuit_breaker.hpp"
#include "client_config.hpp"
#include "keycloak_token_source.hpp"

namespace ccm::plugins::assessment_client {

// Calls the Assessment Platform with a Keycloak bearer token, retrying
// transient failures with exponential backoff behind a circuit breaker. See
// docs/plugins/assessment-client.md. Thread-safe; calls block, including the
// backoff waits, and never throw.
class AssessmentPlatformClient final : public sdk::AssessmentClient {
public:
  // Throws std::invalid_argument naming the config key it cannot use.
  explicit AssessmentPlatformClient(const sdk::PluginContext& context);

  // POST {base_url}/api/v1/collections {"session_id", "cml_lab_id", "worker_hostname"}.
  sdk::Result<std::string> triggerCollection(const sdk::CollectionRequest& request) override;
  // POST {base_url}/api/v1/sessions/{session}/parts/{part}/pod {"pod": <pod_json>}.
  sdk::Result<std::string> assignPod(const std::string& session_id, const std::string& part_id,
                                     const std::string& pod_json) override;

private:
  sdk::Result<std::string> call(const std::string& operation, const std::string& url, const std::string& body);
  Attempt<std::string> postWithRetries(const std::string& url, const std::string& body);
  Attempt<std::string> postOnce(const std::string& url, const std::string& body, bool& token_refetched);
  Attempt<sdk::HttpResponse> send(const std::string& url, const std::string& body, const std::string& token);

  sdk::Host& host_;
  AssessmentClientConfig config_;
  std::unique_ptr<sdk::HttpClient> http_;
  KeycloakTokenSource tokens_;
  CircuitBreaker breaker_;
};

}  // namespace ccm::plugins::assessment_client
