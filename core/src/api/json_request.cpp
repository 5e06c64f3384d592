#include "api/json_request.hpp"

#include "api/error_status.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <rapidjson/error/en.h>

namespace ccm::core {

std::shared_ptr<const JsonSchema> requestSchema(const char* text, const char* name) {
  auto schema = JsonSchema::compile(text, name);
  if (!schema) throw std::logic_error(schema.error().message);  // a bug in our own literal
  return schema.value();
}

HttpResponse bodyResponse(int status, std::string content_type, std::string body) {
  return {status, {{"Content-Type", std::move(content_type)}}, std::move(body), false};
}

HttpResponse jsonResponse(int status, std::string json) {
  return bodyResponse(status, "application/json", std::move(json));
}

HttpResponse problemResponse(const Error& error) { return problemResponse(httpStatus(error.category), error.detail); }

Expected<rapidjson::Document> readJsonBody(const HttpRequest& request, const JsonSchema& schema) {
  const auto* content_type = request.header("Content-Type");
  const std::string given = content_type != nullptr ? *content_type : "";
  if (given.substr(0, given.find(';')) != "application/json") {
    return Error{ErrorCategory::UnsupportedMediaType, "expected Content-Type application/json, got \"" + given + "\"", {}};
  }
  if (request.body.size() > kMaxApiBodyBytes) {
    return Error{ErrorCategory::TooLarge, "request body exceeds " + std::to_string(kMaxApiBodyBytes) + " bytes", {}};
  }
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(request.body.c_str(), request.body.size());
  if (document.HasParseError()) {
    return Error::invalid("request body is not valid JSON at offset " + std::to_string(document.GetErrorOffset()) +
                               ": " + rapidjson::GetParseError_En(document.GetParseError()));
  }
  if (auto error = schema.validate(document)) return Error::invalid("request body " + error->message, error->where);
  return document;
}

Expected<rapidjson::Document> readOptionalJsonBody(const HttpRequest& request, const JsonSchema& schema) {
  if (request.body.empty()) {
    rapidjson::Document empty;
    empty.SetObject();
    return empty;
  }
  return readJsonBody(request, schema);
}

std::string stringMember(const rapidjson::Value& object, const char* name, std::string fallback) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : fallback;
}

std::int64_t intMember(const rapidjson::Value& object, const char* name, std::int64_t fallback) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : fallback;
}

std::string queryParameter(const HttpRequest& request, const std::string& name, const std::string& fallback) {
  const auto query = request.target.find('?');
  if (query == std::string::npos) return fallback;
  Poco::URI uri;
  try {
    uri.setRawQuery(request.target.substr(query + 1));
  } catch (const Poco::Exception&) {
    return fallback;
  }
  for (const auto& [key, value] : uri.getQueryParameters()) {
    if (key == name) return value;
  }
  return fallback;
}

std::optional<Error> readPaging(const HttpRequest& request, std::size_t& limit, std::size_t& offset,
                                  std::size_t max_limit) {
  auto number = [&](const std::string& name, std::size_t& into, std::size_t low, std::size_t high) -> std::optional<Error> {
    const std::string text = queryParameter(request, name);
    if (text.empty()) return std::nullopt;
    std::size_t parsed = 0;
    try {
      std::size_t used = 0;
      parsed = std::stoull(text, &used);
      if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      return Error::invalid("query parameter " + name + " must be an integer, got \"" + text + "\"", name);
    }
    if (parsed < low || parsed > high) {
      return Error::invalid("query parameter " + name + " must be between " + std::to_string(low) + " and " +
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
