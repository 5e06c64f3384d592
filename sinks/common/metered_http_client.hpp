#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ccm/sdk/host.hpp"

namespace ccm::sinks::common {

// The host's pooled HTTP client, counting and timing every request, and
// logging TLS failures at Error since they usually need an operator. For the
// name "eventgrid sink" the metrics are "eventgrid_sink_requests_total"
// (label "status": the HTTP status, or where a transport failure happened)
// and "eventgrid_sink_request_seconds", and the log message is
// "eventgrid sink: TLS failure". Thread-safe.
class MeteredHttpClient final : public sdk::HttpClient {
public:
  // Throws std::invalid_argument when the host provides no client.
  MeteredHttpClient(sdk::Host& host, const sdk::HttpClientOptions& options, std::string_view name);

  sdk::Result<sdk::HttpResponse> send(const sdk::HttpRequest& request) override;

private:
  sdk::Host& host_;
  std::unique_ptr<sdk::HttpClient> client_;
  std::string requests_;
  std::string seconds_;
  std::string tls_failure_;
};

}  // namespace ccm::sinks::common
