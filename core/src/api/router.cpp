#include "api/router.hpp"

#include <Poco/Logger.h>
#include <Poco/URI.h>

#include "observability/json_log.hpp"
#include "store/store.hpp"

namespace ccm::core {
namespace {

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> segments;
  std::string current;
  for (char c : path) {
    if (c == '/') {
      if (!current.empty()) segments.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) segments.push_back(std::move(current));
  return segments;
}

bool matchSegments(const std::vector<std::string>& pattern, const std::vector<std::string>& path, PathParams& params) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      params[p.substr(1, p.size() - 2)] = path[i];
    } else if (p != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> requestPath(const std::string& target) {
  const std::string_view raw(target);
  const auto path = raw.substr(0, raw.find('?'));
  if (path.starts_with('/') && path.find('%') == std::string_view::npos) return std::string(path);
  try {
    return Poco::URI(target).getPath();
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

void Router::add(const std::string& method, const std::string& pattern, RouteHandler handler, RouteAccess access) {
  routes_.push_back({method, pattern, splitPath(pattern), std::move(handler), {}, access});
}

void Router::addStreaming(const std::string& method, const std::string& pattern, StreamingRouteHandler handler) {
  routes_.push_back({method, pattern, splitPath(pattern), {}, std::move(handler), RouteAccess::Authenticated});
}

void Router::addAsync(const std::string& method, const std::string& pattern, AsyncRouteHandler handler,
                      BodyLimit body_limit) {
  if (pattern.find('{') != std::string::npos) throw std::logic_error("an async route's path is literal: " + pattern);
  routes_.push_back({method, pattern, splitPath(pattern), {}, {}, RouteAccess::Authenticated});
  async_routes_.push_back({method, pattern, std::move(handler), std::move(body_limit)});
}

const Router::AsyncRoute* Router::asyncRoute(std::string_view method, std::string_view path) const {
  for (const auto& route : async_routes_) {
    if (route.method == method && route.path == path) return &route;  // the usual case, without splitting
  }
  // As match() reads paths: "/api/v1/events/" and "//api/v1/events" are the same route.
  const auto segments = splitPath(std::string(path));
  for (const auto& route : async_routes_) {
    if (route.method == method && splitPath(route.path) == segments) return &route;
  }
  return nullptr;
}

std::vector<Router::RouteName> Router::routes() const {
  std::vector<RouteName> names;
  for (const auto& route : routes_) {
    names.push_back({route.method, route.pattern, !route.handler && !route.streaming, route.access});
  }
  return names;
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match result;
  const auto segments = splitPath(path);
  for (const auto& route : routes_) {
    PathParams params;
    if (!matchSegments(route.segments, segments, params)) continue;
    const bool same_method = route.method == method || (method == "HEAD" && route.method == "GET");
    if (result.pattern.empty()) result.pattern = route.pattern;
    if (same_method && (route.handler || route.streaming)) {
      if (route.handler) result.handler = &route.handler;
      else result.streaming = &route.streaming;
      result.access = route.access;
      result.params = std::move(params);
      result.pattern = route.pattern;
      return result;
    }
    if (!same_method) result.allowed_methods.push_back(route.method);
  }
  return result;
}

HttpResponse Router::handle(const HttpRequest& request, const std::optional<std::string>& path,
                            const Match& found) const {
  if (!path) return problemResponse(400, "request target \"" + request.target + "\" is not a valid URI");
  if (found.handler == nullptr && found.allowed_methods.empty()) return problemResponse(404, "no resource at " + *path);
  if (found.handler == nullptr && found.streaming != nullptr) {
    return problemResponse(500, "the streaming route " + found.pattern + " was handled as a plain one");
  }
  if (found.handler == nullptr) {
    std::string allow;
    for (const auto& m : found.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
    auto response = problemResponse(405, request.method + " is not allowed on " + *path + " (allowed: " + allow + ")");
    response.headers.emplace_back("Allow", allow);
    return response;
  }
  try {
    return (*found.handler)(request, found.params);
  } catch (const std::exception& e) {
    return failed(*path, e);
  }
}

void Router::answer(const HttpRequest& request, const std::optional<std::string>& path, const Match& found,
                    const HttpResponder& responder) const {
  if (path && found.streaming != nullptr) {
    try {
      return (*found.streaming)(request, found.params, responder);
    } catch (const std::exception& e) {
      return responder.send(failed(*path, e));  // ignored when the route had answered
    }
  }
  responder.send(handle(request, path, found));
}

HttpResponse Router::failed(const std::string& path, const std::exception& error) {
  if (dynamic_cast<const StoreError*>(&error) != nullptr) {
    // The transaction rolled back: nothing was applied, the client may retry.
    logWithFields(Poco::Logger::get("ccm.api"), sdk::LogLevel::Error, "store unavailable",
                  {{"path", path}, {"error", error.what()}});
    return problemResponse(503, error.what());
  }
  logWithFields(Poco::Logger::get("ccm.api"), sdk::LogLevel::Error, "request handler failed",
                {{"path", path}, {"error", error.what()}});
  return problemResponse(500, error.what());
}

}  // namespace ccm::core
