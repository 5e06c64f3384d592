#include "api/problem_details.hpp"

#include "http/http_message.hpp"

namespace ccm::core {

void sendBody(Poco::Net::HTTPServerResponse& response, int status, const std::string& content_type,
              const std::string& body) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType(content_type);
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  response.send() << body;
}

void sendProblem(Poco::Net::HTTPServerResponse& response, int status, const std::string& title,
                 const std::string& detail) {
  sendBody(response, status, "application/problem+json", problemJson(status, title, detail));
}

}  // namespace ccm::core
