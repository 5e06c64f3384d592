#include "api/json_request.hpp"

#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <rapidjson/error/en.h>

#include "api/problem_details.hpp"
#include "http/http_message.hpp"

namespace ccm::core {

std::shared_ptr<const JsonSchema> requestSchema(const char* text, const char* name) {
  auto schema = JsonSchema::compile(text, name);
  if (!schema) throw std::logic_error(schema.error().message);  // a bug in our own literal
  return schema.value();
}

void sendJson(Poco::Net::HTTPServerResponse& response, int status, const std::string& json) {
  sendBody(response, status, "application/json", json);
}


void sendProblem(Poco::Net::HTTPServerResponse& response, const Problem& problem) {
  const char* title = reasonPhrase(problem.status);
  ccm::core::sendProblem(response, problem.status, *title ? title : "Error", problem.detail);
}

std::optional<rapidjson::Document> readJsonBody(Poco::Net::HTTPServerRequest& request,
                                                Poco::Net::HTTPServerResponse& response, const JsonSchema& schema) {
  const std::string media = request.getContentType().substr(0, request.getContentType().find(';'));
  if (media != "application/json") {
    sendProblem(response, {415, "expected Content-Type application/json, got \"" + request.getContentType() + "\"", {}});
    return std::nullopt;
  }
  if (request.hasContentLength() && request.getContentLength64() > static_cast<std::int64_t>(kMaxApiBodyBytes)) {
    sendProblem(response, {413, "request body exceeds " + std::to_string(kMaxApiBodyBytes) + " bytes", {}});
    return std::nullopt;
  }
  std::string body;
  Poco::StreamCopier::copyToString(request.stream(), body, 8192);
  if (body.size() > kMaxApiBodyBytes) {
    sendProblem(response, {413, "request body exceeds " + std::to_string(kMaxApiBodyBytes) + " bytes", {}});
    return std::nullopt;
  }
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(body.c_str(), body.size());
  if (document.HasParseError()) {
    sendProblem(response, Problem::badRequest("request body is not valid JSON at offset " +
                                              std::to_string(document.GetErrorOffset()) + ": " +
                                              rapidjson::GetParseError_En(document.GetParseError())));
    return std::nullopt;
  }
  if (auto error = schema.validate(document)) {
    sendProblem(response, Problem::badRequest("request body " + error->message, error->where));
    return std::nullopt;
  }
  return document;
}

std::optional<rapidjson::Document> readOptionalJsonBody(Poco::Net::HTTPServerRequest& request,
                                                        Poco::Net::HTTPServerResponse& response,
                                                        const JsonSchema& schema) {
  if (request.getContentLength64() == 0 || (!request.hasContentLength() && request.getContentType().empty())) {
    rapidjson::Document empty;
    empty.SetObject();
    return empty;
  }
  return readJsonBody(request, response, schema);
}

std::string stringMember(const rapidjson::Value& object, const char* name, std::string fallback) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : fallback;
}

std::int64_t intMember(const rapidjson::Value& object, const char* name, std::int64_t fallback) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : fallback;
}

std::string queryParameter(const Poco::Net::HTTPServerRequest& request, const std::string& name,
                           const std::string& fallback) {
  for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) {
    if (key == name) return value;
  }
  return fallback;
}

std::optional<Problem> readPaging(const Poco::Net::HTTPServerRequest& request, std::size_t& limit,
                                  std::size_t& offset, std::size_t max_limit) {
  auto number = [&](const std::string& name, std::size_t& into, std::size_t low, std::size_t high) -> std::optional<Problem> {
    const std::string text = queryParameter(request, name);
    if (text.empty()) return std::nullopt;
    std::size_t parsed = 0;
    try {
      std::size_t used = 0;
      parsed = std::stoull(text, &used);
      if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      return Problem::badRequest("query parameter " + name + " must be an integer, got \"" + text + "\"", name);
    }
    if (parsed < low || parsed > high) {
      return Problem::badRequest("query parameter " + name + " must be between " + std::to_string(low) + " and " +
                                     std::to_string(high),
                                 name);
    }
    into = parsed;
    return std::nullopt;
  };
  if (auto problem = number("limit", limit, 1, max_limit)) return problem;
  return number("offset", offset, 0, SIZE_MAX);
}

}  // namespace ccm::core
