#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/http_server.hpp"

namespace ccm::core {

using PathParams = std::map<std::string, std::string>;
// A route that answers a request read whole; it may block (the API server
// runs it on a worker thread).
using RouteHandler = std::function<HttpResponse(const HttpRequest& request, const PathParams& params)>;
// A route answered from the HTTP server's event loop: it must not block, so it
// hands the request on and answers through the responder.
using AsyncRouteHandler = std::function<void(HttpRequest request, HttpResponder responder)>;

// A route that may answer with a stream (HttpResponder::stream) instead of
// one response: it runs on a worker like a blocking route, must answer
// through `responder` exactly once, and must not wait for the stream's end.
using StreamingRouteHandler =
    std::function<void(const HttpRequest& request, const PathParams& params, const HttpResponder& responder)>;

// Who may call a route: every caller (static files of the console), or
// those the API's authentication lets in (every other route).
enum class RouteAccess { Authenticated, Public };

// The route table: method + path pattern ("/api/v1/sessions/{id}") -> handler.
// Unknown paths get 404 and known paths with another method 405 (with Allow),
// both as problem details. A handler that throws gets a 500 problem (503
// when the store failed).
class Router {
public:
  void add(const std::string& method, const std::string& pattern, RouteHandler handler,
           RouteAccess access = RouteAccess::Authenticated);
  void addStreaming(const std::string& method, const std::string& pattern, StreamingRouteHandler handler);
  // `pattern` is a literal path (no {parameters}); bodies up to `body_limit`.
  void addAsync(const std::string& method, const std::string& pattern, AsyncRouteHandler handler,
                BodyLimit body_limit);

  struct Match {
    const RouteHandler* handler = nullptr;
    const StreamingRouteHandler* streaming = nullptr;  // set instead of handler for a streaming route
    RouteAccess access = RouteAccess::Authenticated;
    PathParams params;
    std::vector<std::string> allowed_methods;  // set when the path matched but the method did not
    std::string pattern;                       // the matched route's pattern ("" when no path matched)
  };
  // The blocking route for a request; an async route's path matches only
  // for its 405 (allowed_methods).
  Match match(const std::string& method, const std::string& path) const;

  struct AsyncRoute {
    std::string method;
    std::string path;
    AsyncRouteHandler handler;
    BodyLimit body_limit;
  };
  const AsyncRoute* asyncRoute(std::string_view method, std::string_view path) const;

  struct RouteName {
    std::string method;
    std::string pattern;
    bool async = false;  // added with addAsync (ApiServer answers it without server.auth)
    RouteAccess access = RouteAccess::Authenticated;
  };
  // Every route, in the order added (what the OpenAPI document must describe).
  std::vector<RouteName> routes() const;

  // The answer of the blocking route for a request (404, 405 or 400 when
  // there is none). `path` and `found` are requestPath() of its target and
  // match() of that path (std::nullopt: not a valid URI, a 400).
  HttpResponse handle(const HttpRequest& request, const std::optional<std::string>& path, const Match& found) const;
  // handle()'s answer sent through `responder`, or the streaming route run.
  void answer(const HttpRequest& request, const std::optional<std::string>& path, const Match& found,
              const HttpResponder& responder) const;

private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    RouteHandler handler;  // empty for an async or streaming route's entry
    StreamingRouteHandler streaming;
    RouteAccess access = RouteAccess::Authenticated;
  };
  // A failing route's problem: 503 for the store, else 500.
  static HttpResponse failed(const std::string& path, const std::exception& error);
  std::vector<Route> routes_;
  std::vector<AsyncRoute> async_routes_;
};

// The percent-decoded path of a request target, or std::nullopt when the
// target is not a valid URI.
std::optional<std::string> requestPath(const std::string& target);

}  // namespace ccm::core
