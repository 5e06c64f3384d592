#include "http_sink.hpp"

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "ccm/sdk/codec.hpp"
#include "response_outcome.hpp"

namespace ccm::sinks::http {
namespace {

constexpr std::string_view kRequests = "http_sink_requests_total";
constexpr std::string_view kRequestSeconds = "http_sink_request_seconds";
constexpr std::string_view kNotAttempted = "not attempted: an earlier event of this batch failed";
// The HTTP binding's structured and batch examples (3.2, 3.3) name the charset.
constexpr std::string_view kCharset = "; charset=UTF-8";

}  // namespace

HttpSink::HttpSink(const sdk::PluginContext& context)
    : host_(context.host), config_(parseConfig(context)), client_(host_.makeHttpClient(config_.client)) {
  if (!client_) throw std::invalid_argument("http sink: the host provided no HTTP client");
  auto& metrics = host_.metrics();
  metrics.describe(kRequests, sdk::MetricType::Counter,
                   "HTTP requests sent, by response status or, for a transport failure, where it failed");
  metrics.describe(kRequestSeconds, sdk::MetricType::Histogram, "Duration of one HTTP request, response included");
}

std::size_t HttpSink::maxBatchSize() const {
  return config_.mode == ContentMode::Batch ? config_.max_batch_size : 0;
}

std::vector<sdk::Outcome> HttpSink::deliver(const std::vector<sdk::CloudEvent>& batch) {
  if (batch.empty()) return {};
  if (config_.mode != ContentMode::Batch) return deliverEach(batch);
  try {
    std::string body = sdk::toBatch(batch);
    sdk::Outcome outcome =
        post({{"Content-Type", std::string(sdk::kBatchContentType) + std::string(kCharset)}}, std::move(body));
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
      if (config_.mode == ContentMode::Binary) {
        sdk::HttpMessage message = sdk::toBinary(event);
        outcomes.push_back(post(std::move(message.headers), std::move(message.body)));
      } else {
        outcomes.push_back(post({{"Content-Type", std::string(sdk::kStructuredContentType) + std::string(kCharset)}},
                                sdk::toStructured(event)));
      }
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

sdk::Outcome HttpSink::post(sdk::HttpHeaders headers, std::string body) {
  headers.insert(headers.end(), config_.headers.begin(), config_.headers.end());
  const sdk::HttpRequest request{
      .method = "POST", .url = config_.url, .headers = std::move(headers), .body = std::move(body)};
  const auto started = std::chrono::steady_clock::now();
  const auto result = client_->send(request);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;

  auto& metrics = host_.metrics();
  metrics.observe(kRequestSeconds, elapsed.count());
  metrics.add(kRequests, 1, {{"status", result ? std::to_string(result.value().status) : result.error().where}});
  if (!result && result.error().where == "tls") {
    // Usually a configuration problem (CA, client certificate) an operator must
    // fix. The URL stays out: some receivers carry a key in the query string.
    host_.logger().log(sdk::LogLevel::Error, "http sink: TLS failure", {{"error", result.error().message}});
  }
  return outcomeOf(result, host_.clock().now());
}

}  // namespace ccm::sinks::http
