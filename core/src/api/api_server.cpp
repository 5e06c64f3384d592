#include "api/api_server.hpp"

#include "api/json_request.hpp"
#include "ccm/sdk/codec.hpp"

namespace ccm::core {

namespace {

// Route labels for requests no route pattern names, so that the label set
// stays bounded whatever paths clients send.
constexpr const char* kUnmatched = "(unmatched)";
constexpr const char* kServer = "(server)";  // answered by the HTTP server itself

HttpResponse busy() {
  auto response = problemResponse(503, "the server is busy (server.max_queued requests wait); retry");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

HttpResponse tooDeep(std::size_t max_depth) {
  return problemResponse(400, "request body nests JSON objects and arrays deeper than server.max_json_depth (" +
                                  std::to_string(max_depth) + " levels)");
}

HttpResponse failure(const std::string& error) {
  auto response = problemResponse(500, error);
  response.close = true;
  return response;
}

// An async route that throws before it answered gets a 500 through `answer`
// (so that it is counted too).
void runAsync(const AsyncRouteHandler& handler, HttpRequest request, const HttpResponder& answer) {
  try {
    handler(std::move(request), answer);
  } catch (const std::exception& e) {
    answer.send(failure(e.what()));
  } catch (...) {
    answer.send(failure("unknown error"));
  }
}

HttpServer::Options withRefusalsCounted(HttpServer::Options http, MetricsRegistry* metrics) {
  if (metrics == nullptr) return http;
  metrics->describe("ccm_http_requests_total", sdk::MetricType::Counter,
                    "HTTP requests answered, by route pattern and status.");
  metrics->describe("ccm_http_request_duration_seconds", sdk::MetricType::Histogram,
                    "From a request read whole to its response handed to the server, by route pattern.",
                    {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10});
  metrics->describe("ccm_http_connections", sdk::MetricType::Gauge, "Open HTTP connections.");
  metrics->describe("ccm_http_connections_refused_total", sdk::MetricType::Counter,
                    "Connections closed at once because server.max_connections were open.");
  metrics->describe("ccm_tls_handshake_failures_total", sdk::MetricType::Counter,
                    "TLS handshakes that failed, by reason (http_request: plaintext sent to the TLS port).");
  http.on_tls_failure = [metrics](const std::string& reason) {
    metrics->add("ccm_tls_handshake_failures_total", 1, {{"reason", reason}});
  };
  http.on_refused = [metrics](int status) {
    if (status == 0) return metrics->add("ccm_http_connections_refused_total", 1);
    metrics->add("ccm_http_requests_total", 1, {{"route", kServer}, {"status", std::to_string(status)}});
  };
  return http;
}

}  // namespace

ApiServer::ApiServer(Options options, const Router& router)
    : router_(router),
      metrics_(options.metrics),
      max_json_depth_(options.max_json_depth),
      access_(options.metrics),
      workers_(options.worker_threads, options.max_queued),
      server_(
          withRefusalsCounted(options.http, options.metrics),
          [this](std::string_view method, std::string_view target) { return bodyLimit(method, target); },
          [this](HttpRequest request, HttpResponder responder) { handle(std::move(request), std::move(responder)); }) {
  access_.use(std::move(options.auth));
}

std::function<void()> ApiServer::gaugeUpdater() const {
  if (metrics_ == nullptr) return [] {};
  return [metrics = metrics_, connections = server_.connectionCounter()] {
    metrics->set("ccm_http_connections", static_cast<double>(connections->load()));
  };
}

HttpResponder ApiServer::counted(HttpResponder responder, std::string route) const {
  if (metrics_ == nullptr) return responder;
  return responder.observed(
      [metrics = metrics_, route = std::move(route), start = std::chrono::steady_clock::now()](const HttpResponse& r) {
        metrics->add("ccm_http_requests_total", 1, {{"route", route}, {"status", std::to_string(r.status)}});
        metrics->observe("ccm_http_request_duration_seconds",
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                         {{"route", route}});
      });
}

BodyLimit ApiServer::bodyLimit(std::string_view method, std::string_view target) const {
  if (const auto path = requestPath(std::string(target))) {
    if (const auto* route = router_.asyncRoute(method, *path)) return route->body_limit;
  }
  return {kMaxApiBodyBytes, {}};
}

void ApiServer::handle(HttpRequest request, HttpResponder responder) {
  const auto path = requestPath(request.target);
  if (path) {
    if (const auto* route = router_.asyncRoute(request.method, *path)) {
      auto answer = counted(std::move(responder), route->path);
      if (request.body.size() <= kLoopBodyBytes) return runAsync(route->handler, std::move(request), answer);
      // A large body takes a while to check and parse: a worker does it, so
      // that the loop's other connections are not held up meanwhile.
      auto job = [handler = &route->handler, request = std::move(request), answer]() mutable {
        runAsync(*handler, std::move(request), answer);
      };
      if (!workers_.tryPost(std::move(job))) answer.send(busy());
      return;
    }
  }
  // Matched once, here: the pattern labels the metrics, and the worker runs it.
  auto found = path ? router_.match(request.method, *path) : Router::Match{};
  if (metrics_ != nullptr) responder = counted(std::move(responder), found.pattern.empty() ? kUnmatched : found.pattern);
  // A call refused for want of a worker is audited too, its caller unknown.
  auto refused = ApiAccess::audited(responder, request, found.pattern, found.params, Principal{"unchecked", "", "", {}, ""});
  auto job = [this, request = std::move(request), path, found = std::move(found), responder]() mutable {
    try {
      // Credentials before the body: nothing of an unauthenticated request is parsed.
      if (found.access != RouteAccess::Public) {
        auto admission = access_.admit(request, path, found.pattern);
        responder = ApiAccess::audited(std::move(responder), request, found.pattern, found.params, admission.principal);
        if (admission.refusal) return responder.send(std::move(*admission.refusal));
      }
      if (sdk::jsonNestsDeeperThan(request.body, max_json_depth_)) return responder.send(tooDeep(max_json_depth_));
      router_.answer(request, path, found, responder);
    } catch (const std::exception& e) {  // the router answers a route's failure; this is for its own
      responder.send(failure(e.what()));
    } catch (...) {  // not a std::exception (a plugin's own type): still an answer, and the worker lives on
      responder.send(failure("unknown error"));
    }
  };
  if (!workers_.tryPost(std::move(job))) refused.send(busy());
}

}  // namespace ccm::core
