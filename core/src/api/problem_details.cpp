#include "api/problem_details.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("type");
  writer.String("about:blank");
  writer.Key("title");
  writer.String(title);
  writer.Key("status");
  writer.Int(status);
  writer.Key("detail");
  writer.String(detail);
  writer.EndObject();
  sendBody(response, status, "application/problem+json", buffer.GetString());
}

}  // namespace ccm::core
