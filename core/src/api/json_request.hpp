#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "config/json_schema.hpp"
#include "domain/error.hpp"
#include "http/http_message.hpp"

// What the REST API's routes share: reading JSON bodies and query
// parameters, and building their answers.
namespace ccm::core {

// The REST API's request bodies are JSON objects of at most this size.
inline constexpr std::size_t kMaxApiBodyBytes = 1 << 20;

// A request schema compiled once; `text` is a JSON Schema literal.
std::shared_ptr<const JsonSchema> requestSchema(const char* text, const char* name);

// The body read as JSON and validated, or the problem: 415 for another media
// type, 413 too large, 400 bad JSON or a schema violation naming the field.
Expected<rapidjson::Document> readJsonBody(const HttpRequest& request, const JsonSchema& schema);
// Like readJsonBody, but an empty body reads as {} (commands whose fields are
// all optional).
Expected<rapidjson::Document> readOptionalJsonBody(const HttpRequest& request, const JsonSchema& schema);

// {"items":[...],"limit":L,"offset":O}
template <class T, class ToJson>
std::string renderList(const std::vector<T>& items, ToJson to_json, std::size_t limit, std::size_t offset) {
  std::string out = "{\"items\":[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + to_json(items[i]);
  return out + "],\"limit\":" + std::to_string(limit) + ",\"offset\":" + std::to_string(offset) + "}";
}

HttpResponse bodyResponse(int status, std::string content_type, std::string body);
HttpResponse jsonResponse(int status, std::string json);
// The problem as RFC 9457 problem details, titled by its status.
HttpResponse problemResponse(const Error& problem);

// The aggregate (as JSON via `to_json`) with `status`, or the problem.
template <class T, class ToJson>
HttpResponse resultResponse(const Expected<T>& result, int status, ToJson to_json) {
  return result ? jsonResponse(status, to_json(result.value())) : problemResponse(result.error());
}

// 201 with the created aggregate and its Location (`collection` + id), or the problem.
template <class T, class ToJson>
HttpResponse createdResponse(const Expected<T>& result, const std::string& collection, ToJson to_json) {
  auto response = resultResponse(result, 201, to_json);
  if (result) response.headers.emplace_back("Location", collection + result.value().id);
  return response;
}

std::string stringMember(const rapidjson::Value& object, const char* name, std::string fallback = {});
std::int64_t intMember(const rapidjson::Value& object, const char* name, std::int64_t fallback);

// A query parameter (percent-decoded), or `fallback`.
std::string queryParameter(const HttpRequest& request, const std::string& name, const std::string& fallback = {});
// limit/offset query parameters; a bad value is a 400 problem.
std::optional<Error> readPaging(const HttpRequest& request, std::size_t& limit, std::size_t& offset,
                                  std::size_t max_limit = 1000);

}  // namespace ccm::core
