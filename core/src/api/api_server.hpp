#pragma once

#include <chrono>
#include <cstdint>

#include "api/api_access.hpp"
#include "api/router.hpp"
#include "concurrency/worker_pool.hpp"
#include "observability/metrics_registry.hpp"
#include "http/http_server.hpp"

namespace ccm::core {

// The gateway's HTTP API on the event-driven server: async routes (event
// ingress) are answered from its loop threads without a thread waiting per
// request (a body over kLoopBodyBytes is checked on a worker instead, so that
// parsing it does not hold up the loop); the other routes, which block on the
// store, run on a worker pool (503 when server.max_queued requests already
// wait for a worker).
class ApiServer {
public:
  static constexpr std::size_t kLoopBodyBytes = 256 * 1024;

  struct Options {
    HttpServer::Options http;
    int worker_threads = 16;
    std::size_t max_queued = 256;
    // server.max_json_depth: a blocking route's JSON body nested deeper is
    // refused with 400 before the route (or anything recursive) reads it.
    std::size_t max_json_depth = 64;
    // ccm_http_requests_total{route,status}, ccm_http_request_duration_seconds{route},
    // ccm_http_connections, ccm_http_connections_refused_total,
    // ccm_tls_handshake_failures_total{reason}; none when null.
    MetricsRegistry* metrics = nullptr;
    // Who may call the blocking routes (api/api_access.hpp); null: anyone.
    // Event ingress checks each source's own credentials instead.
    std::shared_ptr<const ApiAuthenticator> auth;
  };

  // Binds at once (std::runtime_error naming the address); `router` must
  // outlive the server.
  ApiServer(Options options, const Router& router);

  void start() { server_.start(); }
  // See HttpServer::stop.
  std::size_t stop(std::chrono::milliseconds grace) { return server_.stop(grace); }
  std::uint16_t port() const { return server_.port(); }
  // See HttpServer::useTls.
  void useTls(std::shared_ptr<boost::asio::ssl::context> context) { server_.useTls(std::move(context)); }
  // Requests read from now on are checked by `auth` (a reload's).
  void useAuth(std::shared_ptr<const ApiAuthenticator> auth) { access_.use(std::move(auth)); }
  // A function that sets the gauges which are read rather than counted (open
  // connections); call it before rendering the metrics. It stays valid after
  // the server is gone (a /metrics request may outlive a shutdown's grace).
  std::function<void()> gaugeUpdater() const;

private:
  BodyLimit bodyLimit(std::string_view method, std::string_view target) const;
  void handle(HttpRequest request, HttpResponder responder);
  // `responder`, counting its response under `route` when there are metrics.
  HttpResponder counted(HttpResponder responder, std::string route) const;

  const Router& router_;
  MetricsRegistry* metrics_;
  std::size_t max_json_depth_;
  ApiAccess access_;
  WorkerPool workers_;  // destroyed after server_: queued jobs still find their responders
  HttpServer server_;
};

}  // namespace ccm::core
