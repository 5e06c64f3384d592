#include "fakes/assessment_platform_fake.hpp"

#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace ccm::fakes {
namespace {

// A flat JSON object of strings, in the given order.
std::string jsonObject(const std::vector<std::pair<std::string, std::string>>& members) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const auto& [key, value] : members) {
    writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    writer.String(value);
  }
  writer.EndObject();
  return buffer.GetString();
}

Reply json(int status, const std::vector<std::pair<std::string, std::string>>& members) {
  return Reply{.status = status, .headers = {{"Content-Type", "application/json"}}, .body = jsonObject(members)};
}

// FastAPI's shape for errors: {"detail": "..."}.
Reply problem(int status, const std::string& detail) {
  return json(status, {{"detail", detail}});
}

std::string pointerText(const rapidjson::Pointer& pointer) {
  rapidjson::StringBuffer buffer;
  pointer.Stringify(buffer);
  return buffer.GetString();
}

std::string decodeSegment(const std::string& segment) {
  std::string decoded;
  Poco::URI::decode(segment, decoded);
  return decoded;
}

}  // namespace

struct AssessmentPlatformFake::PodSchema {
  rapidjson::Document document;
  std::unique_ptr<rapidjson::SchemaDocument> schema;
};

AssessmentPlatformFake::AssessmentPlatformFake(const KeycloakFake& keycloak, const std::string& pod_schema_file)
    : keycloak_(keycloak),
      pod_schema_(std::make_unique<PodSchema>()) {
  std::ifstream in(pod_schema_file);
  std::ostringstream text;
  text << in.rdbuf();
  pod_schema_->document.Parse(text.str().c_str());
  if (!in || pod_schema_->document.HasParseError())
    throw std::runtime_error("cannot read Pod schema " + pod_schema_file);
  pod_schema_->schema = std::make_unique<rapidjson::SchemaDocument>(pod_schema_->document);

  server_ = std::make_unique<LoopbackHttpServer>([this](ReceivedRequest request) { return handle(std::move(request)); });
}

AssessmentPlatformFake::~AssessmentPlatformFake() = default;

std::string AssessmentPlatformFake::baseUrl() const {
  return "http://127.0.0.1:" + std::to_string(server_->port());
}

void AssessmentPlatformFake::script(Reply reply) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(reply));
}

void AssessmentPlatformFake::scriptTimes(int count, const Reply& reply) {
  for (int i = 0; i < count; ++i) script(reply);
}

bool AssessmentPlatformFake::waitForCalls(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return calls_.size() >= count; });
}

std::vector<PlatformCall> AssessmentPlatformFake::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

Reply AssessmentPlatformFake::handle(ReceivedRequest request) {
  std::lock_guard lock(mutex_);
  PlatformCall call{request, 0, {}};
  Reply reply;
  if (!script_.empty()) {
    reply = std::move(script_.front());
    script_.pop_front();
  } else {
    reply = answer(request, call.client_id, call.replayed);
    reply.delay = answer_delay_;
  }
  call.status = reply.drop_connection ? 0 : reply.status;
  calls_.push_back(std::move(call));
  changed_.notify_all();
  return reply;
}

void AssessmentPlatformFake::setAnswerDelay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  answer_delay_ = delay;
}

int AssessmentPlatformFake::collectionsTriggered() const {
  std::lock_guard lock(mutex_);
  return collections_;
}

Reply AssessmentPlatformFake::answer(const ReceivedRequest& request, std::string& client_id, bool& replayed) {
  static const std::regex kPodPath("^/api/v1/sessions/([^/]+)/parts/([^/]+)/pod$");
  std::smatch match;
  const bool is_collection = request.target == "/api/v1/collections";
  const bool is_pod = std::regex_match(request.target, match, kPodPath);
  if (!is_collection && !is_pod) return problem(404, "Not Found");
  if (request.method != "POST") return problem(405, "Method Not Allowed");

  // RFC 6750 3.1: a missing or bad token is 401 with the reason in WWW-Authenticate.
  const std::string authorization = request.header("Authorization").value_or("");
  const std::string why = authorization.rfind("Bearer ", 0) != 0
                              ? std::string("no Bearer token")
                              : keycloak_.verify(authorization.substr(7), &client_id).value_or("");
  if (!why.empty()) {
    client_id.clear();
    Reply reply = problem(401, "Not authenticated: " + why);
    reply.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"" + why + "\"");
    return reply;
  }
  if (request.header("Content-Type").value_or("").rfind("application/json", 0) != 0) {
    return problem(415, "Content-Type must be application/json");
  }
  const auto key = request.header("Idempotency-Key");
  if (key) {
    if (auto seen = idempotent_.find(*key); seen != idempotent_.end()) {
      if (seen->second.target != request.target || seen->second.body != request.body) {
        return problem(422, "Idempotency-Key " + *key + " was used for another request");
      }
      replayed = true;
      return seen->second.reply;
    }
  }
  Reply reply = is_collection ? collection(request.body)
                              : podAssignment(decodeSegment(match[1]), decodeSegment(match[2]), request.body);
  if (key && reply.status >= 200 && reply.status < 300) idempotent_[*key] = {request.target, request.body, reply};
  return reply;
}

Reply AssessmentPlatformFake::collection(const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) return problem(422, "body must be a JSON object");
  for (const char* name : {"session_id", "cml_lab_id", "worker_hostname"}) {
    if (!document.HasMember(name) || !document[name].IsString()) {
      return problem(422, std::string("body.") + name + ": a string is required");
    }
  }
  if (document.MemberCount() != 3) return problem(422, "body: unexpected fields");
  if (document["session_id"].GetStringLength() == 0) return problem(422, "body.session_id: must not be empty");
  const std::string id = "col-" + std::to_string(++collections_);
  return json(202, {{"collection_id", id}, {"session_id", document["session_id"].GetString()}, {"status", "accepted"}});
}

Reply AssessmentPlatformFake::podAssignment(const std::string& session, const std::string& part,
                                            const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject() || document.MemberCount() != 1 || !document.HasMember("pod")) {
    return problem(422, "body must be {\"pod\": <Pod>}");
  }
  rapidjson::SchemaValidator validator(*pod_schema_->schema);
  if (!document["pod"].Accept(validator)) {
    return problem(422, "body.pod" + pointerText(validator.GetInvalidDocumentPointer()) + ": violates \"" +
                            validator.GetInvalidSchemaKeyword() + "\" of the Pod schema");
  }
  return json(200, {{"session_id", session},
                    {"part_id", part},
                    {"pod_id", document["pod"]["id"].GetString()},
                    {"status", "assigned"}});
}


}  // namespace ccm::fakes
