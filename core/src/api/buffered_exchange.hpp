#pragma once

#include "api/router.hpp"
#include "http/http_message.hpp"

namespace ccm::core {

// Runs the router's blocking route for a request the HTTP server has read
// whole, through Poco's server request and response interfaces (which the
// route handlers are written against), and returns what the route sent.
// `path` and `found` as Router::handle takes them.
HttpResponse serveBuffered(const Router& router, HttpRequest request, const std::optional<std::string>& path,
                           const Router::Match& found);

}  // namespace ccm::core
