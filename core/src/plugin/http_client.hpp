#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>

#include "ccm/sdk/host.hpp"

namespace ccm::core {

// sdk::HttpClient over Poco::Net with a keep-alive pool per scheme, host and
// port, TLS through NetSSL (verification on unless turned off), and the
// connect and read timeouts of its options.
class PooledHttpClient final : public sdk::HttpClient {
public:
  explicit PooledHttpClient(sdk::HttpClientOptions options);
  sdk::Result<sdk::HttpResponse> send(const sdk::HttpRequest& request) override;

private:
  using Session = std::unique_ptr<Poco::Net::HTTPClientSession>;
  Session acquire(const std::string& scheme, const std::string& host, std::uint16_t port, bool& reused);
  void release(const std::string& key, Session session);

  sdk::HttpClientOptions options_;
  Poco::Net::Context::Ptr tls_context_;
  std::mutex mutex_;
  std::map<std::string, std::vector<Session>> idle_;
};

}  // namespace ccm::core
