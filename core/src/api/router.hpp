#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace ccm::core {

using PathParams = std::map<std::string, std::string>;
using RouteHandler =
    std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&, const PathParams&)>;

// The route table: method + path pattern ("/api/v1/sessions/{id}") -> handler.
// Unknown paths get 404 and known paths with another method 405 (with Allow),
// both as problem details. A handler that throws gets a 500 problem.
class Router : public Poco::Net::HTTPRequestHandlerFactory {
public:
  void add(const std::string& method, const std::string& pattern, RouteHandler handler);

  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

  // Finds the handler for a request; exposed for tests.
  struct Match {
    const RouteHandler* handler = nullptr;
    PathParams params;
    std::vector<std::string> allowed_methods;  // set when the path matched but the method did not
  };
  Match match(const std::string& method, const std::string& path) const;

private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace ccm::core
