#include "assessment_platform_client.hpp"

#include <Poco/URI.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>
#include <variant>

namespace ccm::plugins::assessment_client {
namespace {

constexpr std::string_view kCalls = "assessment_client_calls_total";
constexpr std::string_view kCircuitOpen = "assessment_client_circuit_open";

std::unique_ptr<sdk::HttpClient> makeHttpClient(sdk::Host& host, const AssessmentClientConfig& config) {
  auto client = host.makeHttpClient(config.http);
  if (!client) throw std::invalid_argument("assessment-client: the host provided no HTTP client");
  return client;
}

// One path segment: "/", "?", "#" and the like in an id must not change the path.
std::string pathSegment(const std::string& value) {
  std::string encoded;
  Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]", encoded);
  return encoded;
}

std::optional<sdk::Error> requireText(const std::string& value, const std::string& name, std::string_view operation) {
  if (!value.empty()) return std::nullopt;
  return sdk::Error{name, "assessment platform " + std::string(operation) + ": " + name + " is empty"};
}

}  // namespace

AssessmentPlatformClient::AssessmentPlatformClient(const sdk::PluginContext& context, SteadyNow steady_now)
    : host_(context.host),
      config_(parseConfig(context)),
      http_(makeHttpClient(host_, config_)),
      tokens_(config_, host_, *http_),
      steady_now_(std::move(steady_now)),
      breaker_(config_.breaker) {
  host_.metrics().describe(kCalls, sdk::MetricType::Counter,
                           "Assessment Platform calls by operation and outcome (ok, failed, rejected by the circuit)");
  host_.metrics().describe("assessment_client_token_fetches_total", sdk::MetricType::Counter,
                           "Keycloak access-token requests by outcome");
  host_.metrics().describe(kCircuitOpen, sdk::MetricType::Gauge, "1 while the circuit breaker is open, else 0");
  host_.metrics().set(kCircuitOpen, 0);
}

sdk::Result<std::string> AssessmentPlatformClient::triggerCollection(const sdk::CollectionRequest& request) {
  constexpr std::string_view kOperation = "trigger_collection";
  if (auto error = requireText(request.session_id, "session_id", kOperation)) return *error;
  try {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("session_id");
    writer.String(request.session_id);
    writer.Key("cml_lab_id");
    writer.String(request.cml_lab_id);
    writer.Key("worker_hostname");
    writer.String(request.worker_hostname);
    writer.EndObject();
    // A session is collected once: its id keys the trigger.
    return call(std::string(kOperation), {config_.base_url + "/api/v1/collections", buffer.GetString(),
                                          "ccm-collection-" + request.session_id});
  } catch (const std::exception& e) {
    return sdk::Error{"trigger_collection", "assessment platform trigger_collection failed: " + std::string(e.what())};
  }
}

sdk::Result<std::string> AssessmentPlatformClient::assignPod(const std::string& session_id, const std::string& part_id,
                                                             const std::string& pod_json) {
  constexpr std::string_view kOperation = "assign_pod";
  if (auto error = requireText(session_id, "session_id", kOperation)) return *error;
  if (auto error = requireText(part_id, "part_id", kOperation)) return *error;
  try {
    rapidjson::Document pod;
    pod.Parse(pod_json.data(), pod_json.size());
    if (pod.HasParseError() || !pod.IsObject()) {
      return sdk::Error{"pod_json", "assessment platform assign_pod: pod_json is not a JSON object"};
    }
    // Seed 002 task 4.11: the body wraps the Pod as {"pod": ...}.
    const std::string url =
        config_.base_url + "/api/v1/sessions/" + pathSegment(session_id) + "/parts/" + pathSegment(part_id) + "/pod";
    return call(std::string(kOperation), {url, "{\"pod\":" + pod_json + "}", "ccm-pod-" + session_id + "-" + part_id});
  } catch (const std::exception& e) {
    return sdk::Error{"assign_pod", "assessment platform assign_pod failed: " + std::string(e.what())};
  }
}

sdk::Result<std::string> AssessmentPlatformClient::call(const std::string& operation, const Post& post) {
  const std::string& url = post.url;
  if (auto refusal = breaker_.admit(steady_now_())) {
    host_.metrics().add(kCalls, 1, {{"operation", operation}, {"outcome", "rejected"}});
    return sdk::Error{"circuit_breaker", "assessment platform " + operation + " (POST " + url + "): " + *refusal};
  }
  // Whatever happens, the breaker hears the outcome, or a half-open trial would never end.
  auto result = [&]() -> Attempt<std::string> {
    try {
      return postWithRetries(post);
    } catch (const std::exception& e) {
      return Failure{sdk::Error{url, "assessment platform POST " + url + ": " + e.what()}, false};
    }
  }();
  auto* failure = std::get_if<Failure>(&result);
  host_.metrics().add(kCalls, 1, {{"operation", operation}, {"outcome", failure ? "failed" : "ok"}});
  // Only unavailability counts against the circuit: a 4xx means the platform is up and answering.
  if (failure == nullptr || !failure->transient) {
    breaker_.recordSuccess();
    host_.metrics().set(kCircuitOpen, 0);
  } else if (breaker_.recordFailure(steady_now_())) {
    host_.metrics().set(kCircuitOpen, 1);
    host_.logger().log(
        sdk::LogLevel::Error, "assessment platform circuit opened",
        {{"open_ms", std::to_string(config_.breaker.open_for.count())}, {"error", failure->error.message}});
  }
  if (failure) return failure->error;
  return std::get<std::string>(std::move(result));
}

Attempt<std::string> AssessmentPlatformClient::postWithRetries(const Post& post) {
  bool token_refetched = false;
  auto delay = config_.retry.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    auto result = postOnce(post, token_refetched);
    auto* failure = std::get_if<Failure>(&result);
    if (failure == nullptr || !failure->transient) return result;
    if (attempt >= config_.retry.max_attempts) {
      failure->error.message += " (gave up after " + std::to_string(attempt) + " attempts)";
      return result;
    }
    host_.logger().log(sdk::LogLevel::Warning, "assessment platform call failed; retrying",
                       {{"url", post.url},
                        {"attempt", std::to_string(attempt)},
                        {"delay_ms", std::to_string(delay.count())},
                        {"error", failure->error.message}});
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, config_.retry.max_backoff);
  }
}

Attempt<std::string> AssessmentPlatformClient::postOnce(const Post& post, bool& token_refetched) {
  auto token = tokens_.token();
  if (auto* failure = std::get_if<Failure>(&token)) return *failure;
  auto sent = send(post, std::get<std::string>(token));
  if (auto* failure = std::get_if<Failure>(&sent)) return *failure;

  if (std::get<sdk::HttpResponse>(sent).status == 401 && !token_refetched) {
    // The token may have been revoked or the platform's keys rotated: one new token, one more try.
    token_refetched = true;
    tokens_.invalidate(std::get<std::string>(token));
    token = tokens_.token();
    if (auto* failure = std::get_if<Failure>(&token)) return *failure;
    sent = send(post, std::get<std::string>(token));
    if (auto* failure = std::get_if<Failure>(&sent)) return *failure;
  }

  sdk::HttpResponse& response = std::get<sdk::HttpResponse>(sent);
  if (response.status >= 200 && response.status <= 299) return std::move(response.body);
  std::string message = "assessment platform POST " + post.url + ": " + describeResponse(response);
  if (response.status == 401) message += " (refused a freshly fetched Keycloak token too)";
  return Failure{sdk::Error{post.url, message}, isTransientStatus(response.status)};
}

Attempt<sdk::HttpResponse> AssessmentPlatformClient::send(const Post& post, const std::string& token) {
  const std::string& url = post.url;
  auto sent = http_->send(sdk::HttpRequest{.method = "POST",
                                           .url = url,
                                           .headers = {{"Content-Type", "application/json"},
                                                       {"Accept", "application/json"},
                                                       {"Authorization", "Bearer " + token},
                                                       {"Idempotency-Key", post.idempotency_key}},
                                           .body = post.body});
  if (!sent) {
    return Failure{sdk::Error{url, "assessment platform POST " + url + ": " + sent.error().message},
                   isTransientTransportError(sent.error())};
  }
  return std::move(sent.value());
}

}  // namespace ccm::plugins::assessment_client
