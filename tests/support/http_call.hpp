#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ccm::testing {

using HttpHeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string location;
  std::string body;
  HttpHeaderList headers;  // every response header, as received

  // The first header of that name (case-insensitive), or "".
  std::string header(const std::string& name) const;
};

// What some calls add to the request.
struct HttpCallExtras {
  HttpHeaderList headers;
  bool chunked = false;  // send the body with chunked transfer coding
};

// One HTTP/1.1 request to 127.0.0.1:port; the body is sent with
// `content_type` when non-empty.
HttpReply httpCall(std::uint16_t port, const std::string& method, const std::string& path,
                   const std::string& body = {}, const std::string& content_type = "application/json",
                   const HttpCallExtras& extras = {});

}  // namespace ccm::testing
