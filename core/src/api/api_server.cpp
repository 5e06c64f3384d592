#include "api/api_server.hpp"

#include "api/buffered_exchange.hpp"
#include "api/json_request.hpp"

namespace ccm::core {

ApiServer::ApiServer(Options options, const Router& router)
    : router_(router),
      workers_(options.worker_threads, options.max_queued),
      server_(
          options.http, [this](const HttpRequest& head) { return bodyLimit(head); },
          [this](HttpRequest request, HttpResponder responder) { handle(std::move(request), std::move(responder)); }) {}

RequestParser::Limit ApiServer::bodyLimit(const HttpRequest& head) const {
  if (const auto path = requestPath(head.target)) {
    if (const auto* route = router_.asyncRoute(head.method, *path)) return route->body_limit;
  }
  return {kMaxApiBodyBytes, {}};
}

void ApiServer::handle(HttpRequest request, HttpResponder responder) {
  if (const auto path = requestPath(request.target)) {
    if (const auto* route = router_.asyncRoute(request.method, *path)) {
      return route->handler(std::move(request), std::move(responder));
    }
  }
  auto job = [this, request = std::move(request), responder]() mutable {
    try {
      responder.send(serveBuffered(router_, std::move(request)));
    } catch (const std::exception& e) {  // the router answers handler failures; this is the adapter's own
      responder.send({500, {{"Content-Type", "application/problem+json"}},
                      problemJson(500, reasonPhrase(500), e.what()), true});
    } catch (...) {  // not a std::exception (a plugin's own type): still an answer, and the worker lives on
      responder.send({500, {{"Content-Type", "application/problem+json"}},
                      problemJson(500, reasonPhrase(500), "unknown error"), true});
    }
  };
  if (!workers_.tryPost(std::move(job))) {
    responder.send({503,
                    {{"Content-Type", "application/problem+json"}, {"Retry-After", "1"}},
                    problemJson(503, reasonPhrase(503), "the server is busy (server.max_queued requests wait); retry"),
                    false});
  }
}

}  // namespace ccm::core
