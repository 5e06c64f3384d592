#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <rapidjson/document.h>

#include "config/json_schema.hpp"
#include "engine/expected.hpp"

namespace ccm::core {

// The REST API's request bodies are JSON objects of at most this size.
inline constexpr std::size_t kMaxApiBodyBytes = 1 << 20;

// A request schema compiled once; `text` is a JSON Schema literal.
std::shared_ptr<const JsonSchema> requestSchema(const char* text, const char* name);

// Reads the body as JSON and validates it. On failure sends the problem
// (415 wrong media type, 413 too large, 400 bad JSON or schema violation
// naming the field) and returns std::nullopt.
std::optional<rapidjson::Document> readJsonBody(Poco::Net::HTTPServerRequest& request,
                                                Poco::Net::HTTPServerResponse& response, const JsonSchema& schema);

// Like readJsonBody, but a request without a body reads as {} (commands whose
// fields are all optional).
std::optional<rapidjson::Document> readOptionalJsonBody(Poco::Net::HTTPServerRequest& request,
                                                        Poco::Net::HTTPServerResponse& response,
                                                        const JsonSchema& schema);

// {"items":[...],"limit":L,"offset":O}
template <class T, class ToJson>
std::string renderList(const std::vector<T>& items, ToJson to_json, std::size_t limit, std::size_t offset) {
  std::string out = "{\"items\":[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + to_json(items[i]);
  return out + "],\"limit\":" + std::to_string(limit) + ",\"offset\":" + std::to_string(offset) + "}";
}

void sendJson(Poco::Net::HTTPServerResponse& response, int status, const std::string& json);
void sendProblem(Poco::Net::HTTPServerResponse& response, const Problem& problem);

// Sends the aggregate (as JSON via `to_json`) or the problem.
template <class T, class ToJson>
void sendResult(Poco::Net::HTTPServerResponse& response, const Expected<T>& result, int status, ToJson to_json) {
  if (result) sendJson(response, status, to_json(result.value()));
  else sendProblem(response, result.problem());
}

std::string stringMember(const rapidjson::Value& object, const char* name, std::string fallback = {});
std::int64_t intMember(const rapidjson::Value& object, const char* name, std::int64_t fallback);

// A query parameter, or `fallback`.
std::string queryParameter(const Poco::Net::HTTPServerRequest& request, const std::string& name,
                           const std::string& fallback = {});
// limit/offset query parameters; a bad value is a 400 problem.
std::optional<Problem> readPaging(const Poco::Net::HTTPServerRequest& request, std::size_t& limit,
                                  std::size_t& offset, std::size_t max_limit = 1000);

}  // namespace ccm::core
