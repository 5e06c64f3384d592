#include "http_call.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

namespace ccm::testing {

HttpReply httpCall(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body,
                   const std::string& content_type) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!body.empty() || method == "POST") {
    if (!content_type.empty()) request.setContentType(content_type);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  HttpReply reply;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), reply.body);
  reply.status = static_cast<int>(response.getStatus());
  reply.content_type = response.getContentType();
  reply.location = response.get("Location", "");
  return reply;
}

}  // namespace ccm::testing
