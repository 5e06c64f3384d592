#include "fakes/event_grid_fake.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>
#include <Poco/URI.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <utility>

#include "ccm/sdk/codec.hpp"

namespace ccm::fakes {
namespace {

constexpr std::size_t kMaxBytes = 1024 * 1024;

// Poco 1.11's SHA2Engine lacks the BLOCK_SIZE and DIGEST_SIZE HMACEngine needs.
class Sha256Engine : public Poco::SHA2Engine {
public:
  enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
  Sha256Engine() : Poco::SHA2Engine(SHA_256) {}
};

std::string formDecode(std::string text) {
  std::ranges::replace(text, '+', ' ');
  std::string decoded;
  Poco::URI::decode(text, decoded);
  return decoded;
}

std::string base64(const Poco::DigestEngine::Digest& digest) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
  encoder.close();
  return out.str();
}

std::string unbase64(const std::string& text) {
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in);
  return std::string(std::istreambuf_iterator<char>(decoder), {});
}

// The SDKs' expiry format, "M/d/yyyy h:mm:ss AM|PM" in UTC.
std::optional<std::chrono::system_clock::time_point> parseExpiry(const std::string& text) {
  std::tm parts{};
  char half[3] = {};
  if (std::sscanf(text.c_str(), "%d/%d/%d %d:%d:%d %2s", &parts.tm_mon, &parts.tm_mday, &parts.tm_year, &parts.tm_hour,
                  &parts.tm_min, &parts.tm_sec, half) != 7) {
    return std::nullopt;
  }
  const std::string am_pm = half;
  if ((am_pm != "AM" && am_pm != "PM") || parts.tm_hour < 1 || parts.tm_hour > 12) return std::nullopt;
  parts.tm_hour = parts.tm_hour % 12 + (am_pm == "PM" ? 12 : 0);
  parts.tm_mon -= 1;
  parts.tm_year -= 1900;
  return std::chrono::system_clock::from_time_t(::timegm(&parts));
}

std::string queryParameter(const std::string& query, const std::string& name) {
  for (const auto& [key, value] : Poco::URI("/?" + query).getQueryParameters()) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace

EventGridFake::EventGridFake(EventGridTopic topic)
    : topic_(std::move(topic)), server_([this](ReceivedRequest request) { return answer(std::move(request)); }) {}

std::string EventGridFake::endpoint() const {
  return server_.url();
}

std::string EventGridFake::resource() const {
  return endpoint() + (topic_.type == EventGridTopic::Type::Custom ? "/api/events" : "/topics/" + topic_.name);
}

void EventGridFake::script(Reply reply) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(reply));
}

std::vector<ReceivedRequest> EventGridFake::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<std::vector<sdk::CloudEvent>> EventGridFake::published() const {
  std::lock_guard lock(mutex_);
  return published_;
}

Reply EventGridFake::azureError(int status, const std::string& code, const std::string& message, Headers headers) {
  headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  return Reply{.status = status,
               .headers = std::move(headers),
               .body = R"({"error":{"code":")" + code + R"(","message":")" + message + "\"}}"};
}

Reply EventGridFake::answer(ReceivedRequest request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(request);
  std::vector<sdk::CloudEvent> events;
  Reply reply = check(request, events);
  if (reply.status == 200 && !script_.empty()) {
    reply = std::move(script_.front());
    script_.pop_front();
  }
  if (reply.status >= 200 && reply.status < 300) published_.push_back(std::move(events));
  return reply;
}

Reply EventGridFake::check(const ReceivedRequest& request, std::vector<sdk::CloudEvent>& events) const {
  const bool custom = topic_.type == EventGridTopic::Type::Custom;
  const std::size_t question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  const std::string query = question == std::string::npos ? "" : request.target.substr(question + 1);
  if (request.method != "POST" || path != (custom ? "/api/events" : "/topics/" + topic_.name + ":publish")) {
    return azureError(404, "NotFound", "The requested resource " + path + " does not exist.");
  }
  const std::string version = queryParameter(query, "api-version");
  if (version != (custom ? "2018-01-01" : "2023-11-01")) {
    return azureError(400, "BadRequest", "The api-version '" + version + "' is missing or not supported.");
  }
  if (auto why = authenticationError(request)) {
    return azureError(401, "Unauthorized", "The request authorization key is not authorized. " + *why);
  }
  const std::string content_type = request.header("Content-Type").value_or("");
  if (!content_type.starts_with("application/cloudevents-batch+json")) {
    return azureError(
        400, "BadRequest",
        "Content-Type '" + content_type + "' is not supported; expected application/cloudevents-batch+json.");
  }
  if (request.body.size() > kMaxBytes) {
    return azureError(413, "RequestEntityTooLarge",
                      "The request is " + std::to_string(request.body.size()) + " bytes; the limit is 1048576.");
  }
  rapidjson::Document batch;
  batch.Parse(request.body.data(), request.body.size());
  if (batch.HasParseError() || !batch.IsArray()) return azureError(400, "BadRequest", "The body is not a JSON array.");
  if (batch.Size() > (custom ? 5000u : 1000u)) return azureError(400, "BadRequest", "Too many events in the batch.");
  for (const auto& event : batch.GetArray()) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    event.Accept(writer);
    if (buffer.GetSize() > kMaxBytes) {
      return azureError(413, "RequestEntityTooLarge", "An event is over the 1048576-byte limit.");
    }
  }
  auto parsed = sdk::parseBatch(request.body);
  if (!parsed) return azureError(400, "BadRequest", parsed.error().message);
  events = std::move(parsed.value());
  return custom ? Reply{.status = 200}
                : Reply{.status = 200, .headers = {{"Content-Type", "application/json"}}, .body = "{}"};
}

std::optional<std::string> EventGridFake::authenticationError(const ReceivedRequest& request) const {
  const bool custom = topic_.type == EventGridTopic::Type::Custom;
  if (auto token = request.header("aeg-sas-token")) return sasTokenError(*token);
  const std::string authorization = request.header("Authorization").value_or("");
  if (authorization.starts_with("Bearer ")) {
    if (topic_.accept_bearer && topic_.accept_bearer(authorization.substr(7))) return std::nullopt;
    return "The bearer token is invalid or expired.";
  }
  const std::optional<std::string> key =
      custom ? request.header("aeg-sas-key")
             : (authorization.starts_with("SharedAccessKey ") ? std::optional(authorization.substr(16)) : std::nullopt);
  if (!key) return "The request carries no credentials it accepts.";
  if (*key != topic_.access_key) return "The key doesn't match.";
  return std::nullopt;
}

std::optional<std::string> EventGridFake::sasTokenError(const std::string& token) const {
  const std::size_t signature_at = token.rfind("&s=");
  const std::size_t expiry_at = token.find("&e=");
  if (!token.starts_with("r=") || signature_at == std::string::npos || expiry_at == std::string::npos ||
      expiry_at > signature_at) {
    return "The SAS token is malformed.";
  }
  // The signature covers the token's text before "&s=" exactly as sent.
  Poco::HMACEngine<Sha256Engine> hmac(unbase64(topic_.access_key));
  hmac.update(token.substr(0, signature_at));
  if (formDecode(token.substr(signature_at + 3)) != base64(hmac.digest())) return "The SAS signature doesn't match.";
  if (formDecode(token.substr(2, expiry_at - 2)) != resource()) return "The SAS token is for another resource.";
  const auto expiry = parseExpiry(formDecode(token.substr(expiry_at + 3, signature_at - expiry_at - 3)));
  if (!expiry) return "The SAS token's expiry cannot be read.";
  if (*expiry <= clock_.now()) return "The SAS token has expired.";
  return std::nullopt;
}

}  // namespace ccm::fakes
