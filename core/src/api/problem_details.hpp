#pragma once

#include <string>

#include <Poco/Net/HTTPServerResponse.h>

namespace ccm::core {

// Writes an RFC 9457 problem details body (application/problem+json).
void sendProblem(Poco::Net::HTTPServerResponse& response, int status, const std::string& title,
                 const std::string& detail);

// Writes a body with the given status and content type.
void sendBody(Poco::Net::HTTPServerResponse& response, int status, const std::string& content_type,
              const std::string& body);

}  // namespace ccm::core
