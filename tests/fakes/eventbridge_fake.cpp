#include "fakes/eventbridge_fake.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/DigestEngine.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>
#include <Poco/Timestamp.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

namespace ccm::fakes {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::size_t kMaxEntries = 10;
constexpr std::size_t kMaxEntriesBytes = 256 * 1024;

// Poco 1.11's SHA2Engine lacks the BLOCK_SIZE and DIGEST_SIZE HMACEngine needs.
class Sha256Engine : public Poco::SHA2Engine {
public:
  enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
  Sha256Engine() : Poco::SHA2Engine(SHA_256) {}
};

// HMAC-SHA256 as raw bytes, to chain as the next key.
std::string hmac(const std::string& key, const std::string& data) {
  Poco::HMACEngine<Sha256Engine> engine(key);
  engine.update(data);
  const auto& digest = engine.digest();
  return std::string(digest.begin(), digest.end());
}

std::string hex(const std::string& raw) {
  return Poco::DigestEngine::digestToHex(Poco::DigestEngine::Digest(raw.begin(), raw.end()));
}

std::string sha256Hex(const std::string& data) {
  Sha256Engine engine;
  engine.update(data);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string lower(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find(separator, start)) != std::string::npos; start = end + 1) {
    parts.push_back(text.substr(start, end - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." as its three fields.
std::map<std::string, std::string> authorizationFields(const std::string& authorization) {
  std::map<std::string, std::string> fields;
  for (auto part : split(authorization.substr(kAlgorithm.size() + 1), ',')) {
    part.erase(0, part.find_first_not_of(' '));
    const std::size_t equals = part.find('=');
    if (equals != std::string::npos) fields[part.substr(0, equals)] = part.substr(equals + 1);
  }
  return fields;
}

// The signed headers' values as AWS canonicalizes them: all values of a name
// joined by commas, each trimmed with inner runs of spaces folded.
std::string canonicalHeaders(const ReceivedRequest& request, const std::vector<std::string>& names) {
  std::string block;
  for (const auto& name : names) {
    std::vector<std::string> values;
    for (const auto& [header, value] : request.headers) {
      if (lower(header) != name) continue;
      std::string folded;
      for (const char c : value) {
        if (c != ' ' || (!folded.empty() && folded.back() != ' ')) folded += c;
      }
      while (!folded.empty() && folded.back() == ' ') folded.pop_back();
      values.push_back(folded);
    }
    std::string joined;
    for (const auto& value : values) joined += (joined.empty() ? "" : ",") + value;
    block += name + ":" + joined + "\n";
  }
  return block;
}

std::string canonicalQuery(const std::string& query) {
  if (query.empty()) return {};
  auto pairs = split(query, '&');
  std::ranges::sort(pairs);
  std::string joined;
  for (const auto& pair : pairs) joined += (joined.empty() ? "" : "&") + pair;
  return joined;
}

constexpr const char* kAmzDateFormat = "%Y%m%dT%H%M%SZ";

std::optional<std::chrono::system_clock::time_point> parseAmzDate(const std::string& text) {
  Poco::DateTime parsed;
  int zone = 0;
  if (!Poco::DateTimeParser::tryParse(kAmzDateFormat, text, parsed, zone)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(parsed.timestamp().epochTime());
}

std::string amzDate(std::chrono::system_clock::time_point time) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(std::chrono::system_clock::to_time_t(time)),
                                         kAmzDateFormat);
}

std::size_t stringBytes(const rapidjson::Value& entry, const char* name) {
  const auto it = entry.FindMember(name);
  return it != entry.MemberEnd() && it->value.IsString() ? it->value.GetStringLength() : 0;
}

// AWS's entry size: Time 14 bytes; Source, DetailType, Detail and each Resources element by their UTF-8 bytes.
std::size_t entryBytes(const rapidjson::Value& entry) {
  std::size_t bytes = (entry.HasMember("Time") ? 14 : 0) + stringBytes(entry, "Source") +
                      stringBytes(entry, "DetailType") + stringBytes(entry, "Detail");
  if (entry.HasMember("Resources") && entry["Resources"].IsArray()) {
    for (const auto& resource : entry["Resources"].GetArray())
      bytes += resource.IsString() ? resource.GetStringLength() : 0;
  }
  return bytes;
}

std::optional<EntryFailure> entryProblem(const rapidjson::Value& entry) {
  for (const char* required : {"Source", "DetailType", "Detail"}) {
    if (stringBytes(entry, required) == 0) {
      return EntryFailure{"InvalidArgument", std::string("Parameter ") + required + " is not valid."};
    }
  }
  rapidjson::Document detail;
  detail.Parse(entry["Detail"].GetString(), entry["Detail"].GetStringLength());
  if (detail.HasParseError() || !detail.IsObject()) return EntryFailure{"MalformedDetail", "Detail is malformed."};
  return std::nullopt;
}

std::string json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

EventBridgeFake::EventBridgeFake(AwsAccount account)
    : account_(std::move(account)), server_([this](ReceivedRequest request) { return answer(std::move(request)); }) {}

std::string EventBridgeFake::endpoint() const {
  return server_.url("/");
}

void EventBridgeFake::setAccount(AwsAccount account) {
  std::lock_guard lock(mutex_);
  account_ = std::move(account);
}

void EventBridgeFake::script(Reply reply) {
  std::lock_guard lock(mutex_);
  script_.emplace_back(std::move(reply));
}

void EventBridgeFake::script(EntryResults results) {
  std::lock_guard lock(mutex_);
  script_.emplace_back(std::move(results));
}

std::vector<ReceivedRequest> EventBridgeFake::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<std::string> EventBridgeFake::putEntries() const {
  std::lock_guard lock(mutex_);
  return put_entries_;
}

Reply EventBridgeFake::awsError(int status, const std::string& type, const std::string& message) {
  rapidjson::Document body(rapidjson::kObjectType);
  body.AddMember("__type", rapidjson::Value(type.c_str(), body.GetAllocator()), body.GetAllocator());
  body.AddMember("message", rapidjson::Value(message.c_str(), body.GetAllocator()), body.GetAllocator());
  return Reply{.status = status, .headers = {{"Content-Type", "application/x-amz-json-1.1"}}, .body = json(body)};
}

Reply EventBridgeFake::answer(ReceivedRequest request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(request);
  if (auto error = signatureError(request)) return *error;
  if (auto error = putEventsError(request)) return *error;
  if (script_.empty()) return putEvents(request, {});
  auto next = std::move(script_.front());
  script_.pop_front();
  if (auto* reply = std::get_if<Reply>(&next)) return *reply;
  return putEvents(request, std::get<EntryResults>(next));
}

std::optional<Reply> EventBridgeFake::signatureError(const ReceivedRequest& request) const {
  const auto authorization = request.header("Authorization");
  if (!authorization) return awsError(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
  auto fields = authorization->starts_with(std::string(kAlgorithm) + " ") ? authorizationFields(*authorization)
                                                                          : decltype(authorizationFields("")){};
  const auto scope = split(fields["Credential"], '/');
  const auto signed_names = split(fields["SignedHeaders"], ';');
  const auto amz_date = request.header("X-Amz-Date");
  if (scope.size() != 5 || fields["Signature"].empty() || fields["SignedHeaders"].empty() || !amz_date) {
    return awsError(400, "IncompleteSignatureException",
                    "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters and an "
                    "X-Amz-Date header. Authorization=" +
                        *authorization);
  }
  if (std::ranges::find(signed_names, "host") == signed_names.end()) {
    return awsError(400, "InvalidSignatureException",
                    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const auto date = parseAmzDate(*amz_date);
  if (!date || *date < clock_.now() - 5min || *date > clock_.now() + 5min) {
    return awsError(400, "InvalidSignatureException",
                    "Signature expired: " + *amz_date + " is now earlier than " + amzDate(clock_.now() - 5min) + " (" +
                        amzDate(clock_.now()) + " - 5 min.)");
  }
  if (scope[1] != amz_date->substr(0, 8)) {
    return awsError(400, "InvalidSignatureException",
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP");
  }
  if (scope[2] != account_.region) {
    return awsError(400, "InvalidSignatureException", "Credential should be scoped to a valid region.");
  }
  if (scope[3] != "events" || scope[4] != "aws4_request") {
    return awsError(400, "InvalidSignatureException", "Credential should be scoped to correct service: 'events'.");
  }
  if (scope[0] != account_.access_key_id ||
      request.header("X-Amz-Security-Token").value_or("") != account_.session_token) {
    return awsError(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  const std::size_t question = request.target.find('?');
  const std::string canonical_request =
      request.method + "\n" + request.target.substr(0, question) + "\n" +
      canonicalQuery(question == std::string::npos ? "" : request.target.substr(question + 1)) + "\n" +
      canonicalHeaders(request, signed_names) + "\n" + fields["SignedHeaders"] + "\n" + sha256Hex(request.body);
  const std::string string_to_sign = std::string(kAlgorithm) + "\n" + *amz_date + "\n" + scope[1] + "/" + scope[2] +
                                     "/" + scope[3] + "/" + scope[4] + "\n" + sha256Hex(canonical_request);
  const std::string key =
      hmac(hmac(hmac(hmac("AWS4" + account_.secret_access_key, scope[1]), scope[2]), scope[3]), scope[4]);
  if (hex(hmac(key, string_to_sign)) != fields["Signature"]) {
    return awsError(403, "InvalidSignatureException",
                    "The request signature we calculated does not match the signature you provided. Check your AWS "
                    "Secret Access Key and signing method. Consult the service documentation for details.\n\nThe "
                    "Canonical String for this request should have been\n'" +
                        canonical_request + "'\n\nThe String-to-Sign should have been\n'" + string_to_sign + "'\n");
  }
  return std::nullopt;
}

std::optional<Reply> EventBridgeFake::putEventsError(const ReceivedRequest& request) const {
  if (request.header("X-Amz-Target") != "AWSEvents.PutEvents") return awsError(400, "UnknownOperationException", "");
  if (request.header("Content-Type") != "application/x-amz-json-1.1") {
    return awsError(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1.");
  }
  rapidjson::Document body;
  body.Parse(request.body.data(), request.body.size());
  if (body.HasParseError() || !body.IsObject() || !body.HasMember("Entries") || !body["Entries"].IsArray()) {
    return awsError(400, "SerializationException", "The body is not a PutEvents request.");
  }
  const auto& entries = body["Entries"];
  if (entries.Empty() || entries.Size() > kMaxEntries) {
    return awsError(400, "ValidationException",
                    "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have "
                    "length less than or equal to 10 and greater than or equal to 1");
  }
  std::size_t total = 0;
  for (const auto& entry : entries.GetArray()) {
    if (!entry.IsObject() || (entry.HasMember("Time") && !entry["Time"].IsNumber())) {
      return awsError(400, "SerializationException", "An entry is not a PutEventsRequestEntry.");
    }
    total += entryBytes(entry);
  }
  if (total > kMaxEntriesBytes) {
    return awsError(400, "ValidationException", "Total size of the entries in the request is over the limit.");
  }
  return std::nullopt;
}

Reply EventBridgeFake::putEvents(const ReceivedRequest& request, const EntryResults& scripted) {
  rapidjson::Document body;
  body.Parse(request.body.data(), request.body.size());
  rapidjson::Document answer(rapidjson::kObjectType);
  auto& allocator = answer.GetAllocator();
  rapidjson::Value results(rapidjson::kArrayType);
  int failed = 0;
  rapidjson::SizeType index = 0;
  for (const auto& entry : body["Entries"].GetArray()) {
    auto failure = index < scripted.size() ? scripted[index] : std::nullopt;
    if (!failure) failure = entryProblem(entry);
    rapidjson::Value result(rapidjson::kObjectType);
    if (failure) {
      ++failed;
      result.AddMember("ErrorCode", rapidjson::Value(failure->code.c_str(), allocator), allocator);
      result.AddMember("ErrorMessage", rapidjson::Value(failure->message.c_str(), allocator), allocator);
    } else {
      put_entries_.push_back(json(entry));
      const std::string id = "11710aed-b79e-4468-a20b-" + std::to_string(100000000000 + put_entries_.size());
      result.AddMember("EventId", rapidjson::Value(id.c_str(), allocator), allocator);
    }
    results.PushBack(result, allocator);
    ++index;
  }
  answer.AddMember("FailedEntryCount", failed, allocator);
  answer.AddMember("Entries", results, allocator);
  return Reply{.status = 200, .headers = {{"Content-Type", "application/x-amz-json-1.1"}}, .body = json(answer)};
}

}  // namespace ccm::fakes
