#include "api/router.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/URI.h>

#include "api/problem_details.hpp"
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

class RoutedHandler : public Poco::Net::HTTPRequestHandler {
public:
  RoutedHandler(const Router& router) : router_(router) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    std::string path;
    try {
      path = Poco::URI(request.getURI()).getPath();
    } catch (const Poco::Exception&) {
      return sendProblem(response, 400, "Bad Request", "request target \"" + request.getURI() + "\" is not a valid URI");
    }
    const auto match = router_.match(request.getMethod(), path);
    if (match.handler == nullptr && match.allowed_methods.empty()) {
      return sendProblem(response, 404, "Not Found", "no resource at " + path);
    }
    if (match.handler == nullptr) {
      std::string allow;
      for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
      response.set("Allow", allow);
      return sendProblem(response, 405, "Method Not Allowed",
                         request.getMethod() + " is not allowed on " + path + " (allowed: " + allow + ")");
    }
    try {
      (*match.handler)(request, response, match.params);
    } catch (const StoreError& e) {
      // The transaction rolled back: nothing was applied, the client may retry.
      logWithFields(Poco::Logger::get("ccm.api"), sdk::LogLevel::Error, "store unavailable",
                    {{"path", path}, {"error", e.what()}});
      if (!response.sent()) sendProblem(response, 503, "Service Unavailable", e.what());
    } catch (const std::exception& e) {
      logWithFields(Poco::Logger::get("ccm.api"), sdk::LogLevel::Error, "request handler failed",
                    {{"path", path}, {"error", e.what()}});
      if (!response.sent()) sendProblem(response, 500, "Internal Server Error", e.what());
    }
  }

private:
  const Router& router_;
};

}  // namespace

void Router::add(const std::string& method, const std::string& pattern, RouteHandler handler) {
  routes_.push_back({method, splitPath(pattern), std::move(handler)});
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match result;
  const auto segments = splitPath(path);
  for (const auto& route : routes_) {
    PathParams params;
    if (!matchSegments(route.segments, segments, params)) continue;
    if (route.method == method || (method == "HEAD" && route.method == "GET")) {
      result.handler = &route.handler;
      result.params = std::move(params);
      return result;
    }
    result.allowed_methods.push_back(route.method);
  }
  return result;
}

Poco::Net::HTTPRequestHandler* Router::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
  return new RoutedHandler(*this);
}

}  // namespace ccm::core
