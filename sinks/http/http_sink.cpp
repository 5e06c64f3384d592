#include "http_sink.hpp"

#include <chrono>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/trace_context.hpp"
#include "response_outcome.hpp"
#include "webhook_signature.hpp"

namespace ccm::sinks::http {
namespace {

constexpr std::string_view kNotAttempted = "not attempted: an earlier event of this batch failed";
// Spelled as the JSON format's media type registration and the CloudEvents
// SDKs expect it (the JavaScript SDK compares the whole header).
constexpr std::string_view kCharset = "; charset=utf-8";

// W3C Trace Context headers for a request carrying `events`: their trace
// context when they all have the same one (docs/sinks/http.md#trace-context).
void addTraceHeaders(sdk::HttpHeaders& headers, std::span<const sdk::CloudEvent> events) {
  std::vector<std::optional<sdk::TraceContext>> traces;
  traces.reserve(events.size());
  for (const auto& event : events) traces.push_back(sdk::readTraceExtensions(event).context);
  if (const auto shared = sdk::sharedTraceContext(traces)) {
    const auto trace = sdk::traceHeaders(*shared);
    headers.insert(headers.end(), trace.begin(), trace.end());
  }
}

}  // namespace

HttpSink::HttpSink(const sdk::PluginContext& context)
    : host_(context.host), config_(parseConfig(context)), client_(host_, config_.client, "http sink") {}

std::size_t HttpSink::maxBatchSize() const {
  return config_.mode == ContentMode::Batch ? config_.max_batch_size : 0;
}

std::vector<sdk::Outcome> HttpSink::deliver(const std::vector<sdk::CloudEvent>& batch) {
  if (batch.empty()) return {};
  if (config_.mode != ContentMode::Batch) return deliverEach(batch);
  try {
    std::string body = sdk::toBatch(batch);
    sdk::HttpHeaders headers{{"Content-Type", std::string(sdk::kBatchContentType) + std::string(kCharset)}};
    addTraceHeaders(headers, batch);
    sdk::Outcome outcome = post(std::move(headers), std::move(body), batchWebhookId(batch));
    return std::vector<sdk::Outcome>(batch.size(), outcome);
  } catch (const std::exception& e) {
    return std::vector<sdk::Outcome>(batch.size(), sdk::Outcome::retryable(e.what()));
  }
}

std::vector<sdk::Outcome> HttpSink::deliverEach(const std::vector<sdk::CloudEvent>& batch) {
  std::vector<sdk::Outcome> outcomes;
  std::optional<std::chrono::milliseconds> retry_after;
  try {
    outcomes.reserve(batch.size());
    for (const auto& event : batch) {
      // Binary mode keeps the extension's ce-traceparent header too.
      sdk::HttpMessage message =
          config_.mode == ContentMode::Binary
              ? sdk::toBinary(event)
              : sdk::HttpMessage{{{"Content-Type", std::string(sdk::kStructuredContentType) + std::string(kCharset)}},
                                 sdk::toStructured(event)};
      addTraceHeaders(message.headers, std::span(&event, 1));
      outcomes.push_back(post(std::move(message.headers), std::move(message.body), event.id));
      // Sending later events now would let them overtake this one when it is retried.
      if (outcomes.back().kind == sdk::Outcome::Kind::Retryable) {
        retry_after = outcomes.back().retry_after;
        break;
      }
    }
  } catch (const std::exception& e) {
    outcomes.resize(batch.size(), sdk::Outcome::retryable(e.what()));
  }
  outcomes.resize(batch.size(), sdk::Outcome::retryable(std::string(kNotAttempted), retry_after));
  return outcomes;
}

sdk::Outcome HttpSink::post(sdk::HttpHeaders headers, std::string body, std::string_view webhook_id) {
  headers.insert(headers.end(), config_.headers.begin(), config_.headers.end());
  if (!config_.signing_keys.empty()) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(host_.clock().now().time_since_epoch());
    auto signature = webhookHeaders(webhook_id, now.count(), body, config_.signing_keys);
    headers.insert(headers.end(), signature.begin(), signature.end());
  }
  const sdk::HttpRequest request{
      .method = "POST", .url = config_.url, .headers = std::move(headers), .body = std::move(body)};
  return outcomeOf(client_.send(request), host_.clock().now());
}

}  // namespace ccm::sinks::http
