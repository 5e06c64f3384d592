#pragma once

#include <chrono>
#include <string>

#include "ccm/sdk/circuit_breaker.hpp"
#include "ccm/sdk/host.hpp"
#include "ccm/sdk/plugin.hpp"

namespace ccm::plugins::assessment_client {

// How the client proves its identity to Keycloak (OAuth 2.0, RFC 6749 2.3.1).
enum class ClientAuthentication {
  Basic,  // client_secret_basic: Authorization: Basic base64(urlencode(id):urlencode(secret))
  Form,   // client_secret_post: client_id and client_secret in the form body
};

struct RetryPolicy {
  int max_attempts = 3;  // attempts per call, the first included
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{2000};
};

// The instance's "config" object, checked and with the client secret
// resolved; defaults match schema.json.
struct AssessmentClientConfig {
  std::string base_url;  // without a trailing slash
  std::string token_url;
  std::string client_id;
  std::string client_secret;
  ClientAuthentication client_authentication = ClientAuthentication::Basic;
  std::chrono::seconds token_refresh_margin{30};
  sdk::HttpClientOptions http = [] {
    sdk::HttpClientOptions options;
    options.read_timeout = std::chrono::milliseconds(10000);  // calls are small; 30 s would stall a session
    return options;
  }();
  RetryPolicy retry;
  sdk::CircuitBreakerPolicy breaker;  // failure_threshold counts failed calls
};

// Reads context.config_json and resolves client_secret through context.host.
// Throws std::invalid_argument naming the config key it cannot use.
AssessmentClientConfig parseConfig(const sdk::PluginContext& context);

}  // namespace ccm::plugins::assessment_client
