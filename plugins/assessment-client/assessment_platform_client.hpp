#pragma once

#include <functional>
#include <memory>
#include <string>

#include "call_failure.hpp"
#include "ccm/sdk/assessment_client.hpp"
#include "ccm/sdk/circuit_breaker.hpp"
#include "ccm/sdk/plugin.hpp"
#include "client_config.hpp"
#include "keycloak_token_source.hpp"

namespace ccm::plugins::assessment_client {

// Calls the Assessment Platform with a Keycloak bearer token, retrying
// transient failures with exponential backoff behind a circuit breaker. See
// docs/plugins/assessment-client.md. Thread-safe; calls block, including the
// backoff waits, and never throw.
class AssessmentPlatformClient final : public sdk::AssessmentClient {
public:
  // The circuit breaker's clock: the steady clock, unless a test moves time by hand.
  using SteadyNow = std::function<sdk::CircuitBreaker::TimePoint()>;

  // Throws std::invalid_argument naming the config key it cannot use.
  explicit AssessmentPlatformClient(const sdk::PluginContext& context,
                                    SteadyNow steady_now = [] { return sdk::CircuitBreaker::Clock::now(); });

  // POST {base_url}/api/v1/collections {"session_id", "cml_lab_id", "worker_hostname"}.
  sdk::Result<std::string> triggerCollection(const sdk::CollectionRequest& request) override;
  // POST {base_url}/api/v1/sessions/{session}/parts/{part}/pod {"pod": <pod_json>}.
  sdk::Result<std::string> assignPod(const std::string& session_id, const std::string& part_id,
                                     const std::string& pod_json) override;

private:
  // One call to the platform. The same idempotency key goes with every
  // attempt of it, and with the same call made again after a gateway restart,
  // so the platform can tell a repeat from a new request.
  struct Post {
    std::string url;
    std::string body;
    std::string idempotency_key;
  };
  sdk::Result<std::string> call(const std::string& operation, const Post& post);
  Attempt<std::string> postWithRetries(const Post& post);
  Attempt<std::string> postOnce(const Post& post, bool& token_refetched);
  Attempt<sdk::HttpResponse> send(const Post& post, const std::string& token);

  sdk::Host& host_;
  AssessmentClientConfig config_;
  std::unique_ptr<sdk::HttpClient> http_;
  KeycloakTokenSource tokens_;
  SteadyNow steady_now_;
  sdk::CircuitBreaker breaker_;
};

}  // namespace ccm::plugins::assessment_client
