#include "common/metered_http_client.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

namespace ccm::sinks::common {
namespace {

std::string metricPrefix(std::string_view name) {
  std::string prefix(name);
  std::ranges::replace(prefix, ' ', '_');
  return prefix;
}

}  // namespace

MeteredHttpClient::MeteredHttpClient(sdk::Host& host, const sdk::HttpClientOptions& options, std::string_view name)
    : host_(host),
      client_(host.makeHttpClient(options)),
      requests_(metricPrefix(name) + "_requests_total"),
      seconds_(metricPrefix(name) + "_request_seconds"),
      tls_failure_(std::string(name) + ": TLS failure") {
  if (!client_) throw std::invalid_argument(std::string(name) + ": the host provided no HTTP client");
  auto& metrics = host_.metrics();
  metrics.describe(requests_, sdk::MetricType::Counter,
                   "HTTP requests sent, by response status or, for a transport failure, where it failed");
  metrics.describe(seconds_, sdk::MetricType::Histogram, "Duration of one HTTP request, response included");
}

sdk::Result<sdk::HttpResponse> MeteredHttpClient::send(const sdk::HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  auto result = client_->send(request);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;

  auto& metrics = host_.metrics();
  metrics.observe(seconds_, elapsed.count());
  metrics.add(requests_, 1, {{"status", result ? std::to_string(result.value().status) : result.error().where}});
  if (!result && result.error().where == "tls") {
    // The URL stays out of the log: some carry a key in the query string.
    host_.logger().log(sdk::LogLevel::Error, tls_failure_, {{"error", result.error().message}});
  }
  return result;
}

}  // namespace ccm::sinks::common
