#pragma once

#include <cstdint>
#include <string>

namespace ccm::testing {

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string location;
  std::string body;
};

// One HTTP/1.1 request to 127.0.0.1:port; the body is sent with
// `content_type` when non-empty.
HttpReply httpCall(std::uint16_t port, const std::string& method, const std::string& path,
                   const std::string& body = {}, const std::string& content_type = "application/json");

}  // namespace ccm::testing
