#include "http_call.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

namespace ccm::testing {

std::string HttpReply::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (Poco::icompare(key, name) == 0) return value;
  }
  return {};
}

HttpReply httpCall(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body,
                   const std::string& content_type, const HttpCallExtras& extras) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : extras.headers) request.add(name, value);
  if (!body.empty() || method == "POST") {
    if (!content_type.empty()) request.setContentType(content_type);
    if (extras.chunked) request.setChunkedTransferEncoding(true);
    else request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  HttpReply reply;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), reply.body);
  reply.status = static_cast<int>(response.getStatus());
  reply.content_type = response.getContentType();
  reply.location = response.get("Location", "");
  for (const auto& [name, value] : response) reply.headers.emplace_back(name, value);
  return reply;
}

}  // namespace ccm::testing
