#include "fakes/pubsub_fake.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/JSON/Object.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/Net/HTMLForm.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>
#include <sstream>
#include <utility>

#include "support/jwt_signer.hpp"

namespace ccm::fakes {
namespace {

constexpr std::string_view kPubSubScope = "https://www.googleapis.com/auth/pubsub";
constexpr std::string_view kCloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
constexpr std::string_view kJwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr std::string_view kMetadataPath = "/computeMetadata/v1/instance/service-accounts/default/token";
// Google's front end refuses a larger JSON body before Pub/Sub sees it.
constexpr std::size_t kMaxBodyBytes = 10485760;
constexpr std::size_t kMaxRequestSize = 10000000;

// The service account's key pair, made once: RSA key generation is slow.
const testing::TestSigningKey& accountKey() {
  static const testing::TestSigningKey key = testing::TestSigningKey::rsa("google-service-account");
  return key;
}

Reply oauthError(int status, const std::string& error, const std::string& description) {
  return Reply{.status = status,
               .headers = {{"Content-Type", "application/json; charset=utf-8"}},
               .body = R"({"error":")" + error + R"(","error_description":")" + description + "\"}"};
}

Reply invalidArgument(const std::string& message) {
  return PubSubFake::rpcError(400, "INVALID_ARGUMENT", message);
}

std::string jsonString(std::string_view text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return {buffer.GetString(), buffer.GetSize()};
}

std::optional<std::string> base64Decode(const std::string& text) {
  // Poco's decoder skips characters outside the alphabet; Google's does not.
  const bool alphabet = std::ranges::all_of(
      text, [](unsigned char c) { return std::isalnum(c) != 0 || c == '+' || c == '/' || c == '='; });
  if (!alphabet || text.size() % 4 != 0) return std::nullopt;
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in);
  std::string out((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
  return out;
}

std::string_view view(const rapidjson::Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

}  // namespace

std::string serviceAccountKeyJson(const GoogleProject& project, const std::string& private_key_pem,
                                  const std::string& token_uri) {
  return R"({"type":"service_account","project_id":)" + jsonString(project.project) + R"(,"private_key_id":)" +
         jsonString(project.private_key_id) + R"(,"private_key":)" + jsonString(private_key_pem) +
         R"(,"client_email":)" + jsonString(project.client_email) +
         R"(,"client_id":"104518209432841751923","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":)" +
         jsonString(token_uri) +
         R"(,"auth_provider_x509_cert_url":"https://www.googleapis.com/oauth2/v1/certs","universe_domain":"googleapis.com"})";
}

PubSubFake::PubSubFake(GoogleProject project)
    : project_(std::move(project)), server_([this](ReceivedRequest request) { return answer(std::move(request)); }) {}

std::string PubSubFake::endpoint() const {
  return server_.url();
}

std::string PubSubFake::hostAndPort() const {
  return "127.0.0.1:" + std::to_string(server_.port());
}

std::string PubSubFake::tokenUri() const {
  return server_.url("/token");
}

std::string PubSubFake::serviceAccountKey() const {
  return serviceAccountKeyJson(project_, accountKey().privateKeyPem(), tokenUri());
}

void PubSubFake::setEmulator(bool emulator) {
  std::lock_guard lock(mutex_);
  emulator_ = emulator;
}

void PubSubFake::revokeTokens() {
  std::lock_guard lock(mutex_);
  for (auto& grant : grants_) grant.revoked = true;
}

void PubSubFake::scriptPublish(Reply reply) {
  std::lock_guard lock(mutex_);
  publish_script_.push_back(std::move(reply));
}

void PubSubFake::scriptToken(Reply reply) {
  std::lock_guard lock(mutex_);
  token_script_.push_back(std::move(reply));
}

std::vector<ReceivedRequest> PubSubFake::publishRequests() const {
  std::lock_guard lock(mutex_);
  return publish_requests_;
}

std::vector<ReceivedRequest> PubSubFake::tokenRequests() const {
  std::lock_guard lock(mutex_);
  return token_requests_;
}

std::vector<ReceivedRequest> PubSubFake::metadataRequests() const {
  std::lock_guard lock(mutex_);
  return metadata_requests_;
}

std::vector<std::string> PubSubFake::issuedTokens() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> tokens;
  for (const auto& grant : grants_) tokens.push_back(grant.token);
  return tokens;
}

std::vector<PublishedMessage> PubSubFake::published() const {
  std::lock_guard lock(mutex_);
  return published_;
}

Reply PubSubFake::rpcError(int code, const std::string& status, const std::string& message, Headers headers) {
  headers.emplace_back("Content-Type", "application/json; charset=UTF-8");
  return Reply{.status = code,
               .headers = std::move(headers),
               .body = R"({"error":{"code":)" + std::to_string(code) + R"(,"message":)" + jsonString(message) +
                       R"(,"status":")" + status + "\"}}"};
}

Reply PubSubFake::answer(ReceivedRequest request) {
  std::lock_guard lock(mutex_);
  if (request.target == "/token") {
    token_requests_.push_back(request);
    return tokenGrant(request);
  }
  if (request.target == kMetadataPath) {
    metadata_requests_.push_back(request);
    return metadataGrant(request);
  }
  publish_requests_.push_back(request);
  return publish(request);
}

Reply PubSubFake::tokenGrant(const ReceivedRequest& request) {
  if (!token_script_.empty()) {
    Reply reply = std::move(token_script_.front());
    token_script_.pop_front();
    return reply;
  }
  if (request.method != "POST") return oauthError(405, "invalid_request", "Token requests must be POSTs.");
  if (!request.header("Content-Type").value_or("").starts_with("application/x-www-form-urlencoded")) {
    return oauthError(400, "invalid_request", "Invalid Content-Type.");
  }
  Poco::Net::HTMLForm form;
  form.read(request.body);
  const std::string grant_type = form.get("grant_type", "");
  if (grant_type != kJwtBearer) return oauthError(400, "unsupported_grant_type", "Invalid grant_type: " + grant_type);
  if (auto error = assertionError(form.get("assertion", ""))) return *error;
  return grant();
}

std::optional<Reply> PubSubFake::assertionError(const std::string& assertion) const {
  const Reply bad_signature = oauthError(400, "invalid_grant", "Invalid JWT Signature.");
  Poco::JWT::Token token;
  try {
    std::istringstream public_key(accountKey().publicKeyPem());
    Poco::JWT::Signer signer(Poco::SharedPtr<Poco::Crypto::RSAKey>(new Poco::Crypto::RSAKey(&public_key)));
    signer.setAlgorithms({Poco::JWT::Signer::ALGO_RS256});
    if (!signer.tryVerify(assertion, token)) return bad_signature;
  } catch (const Poco::Exception&) {
    return bad_signature;
  }
  const auto& header = token.header();
  std::vector<std::string> header_names;
  header.getNames(header_names);
  std::ranges::sort(header_names);
  if (header_names != std::vector<std::string>{"alg", "kid", "typ"} || token.getType() != "JWT" ||
      header.getValue<std::string>("kid") != project_.private_key_id) {
    return bad_signature;
  }
  const auto& claims = token.payload();
  std::vector<std::string> claim_names;
  claims.getNames(claim_names);
  std::ranges::sort(claim_names);
  if (claim_names != std::vector<std::string>{"aud", "exp", "iat", "iss", "scope"}) {
    return oauthError(400, "invalid_request", "Invalid JWT claim set.");
  }
  if (claims.getValue<std::string>("iss") != project_.client_email) {
    return oauthError(400, "invalid_grant", "Invalid grant: account not found");
  }
  if (claims.getValue<std::string>("aud") != tokenUri()) {
    return oauthError(400, "invalid_grant",
                      "Invalid JWT: Failed audience check. The expected audience is " + tokenUri() + ".");
  }
  std::set<std::string> scopes;
  std::istringstream scope_list(claims.getValue<std::string>("scope"));
  for (std::string scope; scope_list >> scope;) scopes.insert(scope);
  if (!scopes.contains(std::string(kPubSubScope)) && !scopes.contains(std::string(kCloudPlatformScope))) {
    return oauthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  const auto iat = claims.getValue<Poco::Int64>("iat");
  const auto exp = claims.getValue<Poco::Int64>("exp");
  if (exp - iat > 3600 || iat > now + 60 || exp <= now) {
    return oauthError(400, "invalid_grant",
                      "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                      "Check your iat and exp values in the JWT claim.");
  }
  return std::nullopt;
}

Reply PubSubFake::metadataGrant(const ReceivedRequest& request) {
  if (!token_script_.empty()) {
    Reply reply = std::move(token_script_.front());
    token_script_.pop_front();
    return reply;
  }
  if (request.method != "GET") return Reply{.status = 405, .body = "Method not allowed"};
  if (request.header("Metadata-Flavor") != "Google") {
    return Reply{.status = 403,
                 .headers = {{"Content-Type", "text/html; charset=UTF-8"}},
                 .body = "Your client does not have permission to get URL " + std::string(kMetadataPath) +
                         " from this server. Missing Metadata-Flavor:Google header."};
  }
  Reply reply = grant();
  reply.headers.emplace_back("Metadata-Flavor", "Google");
  return reply;
}

Reply PubSubFake::grant() {
  const std::string token = "ya29.fake-access-token-" + std::to_string(grants_.size() + 1);
  grants_.push_back({token, clock_.now() + project_.expires_in});
  return Reply{.status = 200,
               .headers = {{"Content-Type", "application/json; charset=utf-8"}},
               .body = R"({"access_token":")" + token + R"(","expires_in":)" +
                       std::to_string(project_.expires_in.count()) + R"(,"token_type":"Bearer"})"};
}

bool PubSubFake::authorized(const ReceivedRequest& request) const {
  if (emulator_) return true;
  const std::string authorization = request.header("Authorization").value_or("");
  if (!authorization.starts_with("Bearer ")) return false;
  const std::string token = authorization.substr(7);
  return std::ranges::any_of(grants_, [&](const Grant& grant) {
    return grant.token == token && !grant.revoked && clock_.now() < grant.expires;
  });
}

Reply PubSubFake::publish(const ReceivedRequest& request) {
  const std::string path = "/v1/projects/" + project_.project + "/topics/" + project_.topic + ":publish";
  if (!authorized(request)) {
    return rpcError(401, "UNAUTHENTICATED",
                    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                    "other valid authentication credential. See "
                    "https://developers.google.com/identity/sign-in/web/devconsole-project.");
  }
  if (request.target != path) {
    const std::string resource = request.target.substr(request.target.rfind('/') + 1);
    return rpcError(404, "NOT_FOUND", "Resource not found (resource=" + resource.substr(0, resource.find(':')) + ").");
  }
  if (request.method != "POST") return rpcError(405, "INVALID_ARGUMENT", "Method not allowed.");
  if (request.body.size() > kMaxBodyBytes) {
    return invalidArgument("Request payload size exceeds the limit: 10485760 bytes.");
  }
  if (!request.header("Content-Type").value_or("").starts_with("application/json")) {
    return invalidArgument("Invalid JSON payload received. Unexpected Content-Type.");
  }
  rapidjson::Document body;
  body.Parse(request.body.data(), request.body.size());
  if (body.HasParseError() || !body.IsObject()) return invalidArgument("Invalid JSON payload received.");
  for (const auto& member : body.GetObject()) {
    if (view(member.name) != "messages") {
      return invalidArgument("Invalid JSON payload received. Unknown name \"" + std::string(view(member.name)) +
                             "\": Cannot find field.");
    }
  }
  const auto messages = body.FindMember("messages");
  if (messages == body.MemberEnd() || !messages->value.IsArray() || messages->value.Empty()) {
    return invalidArgument(
        "The value for message_count is too small. You passed 0 in the request, but the minimum "
        "value is 1.");
  }
  if (messages->value.Size() > 1000) {
    return invalidArgument("The value for message_count is too large. You passed " +
                           std::to_string(messages->value.Size()) + " in the request, but the maximum value is 1000.");
  }
  std::vector<PublishedMessage> received;
  std::size_t request_size = path.size();
  for (const auto& message : messages->value.GetArray()) {
    const std::string at = "messages[" + std::to_string(received.size()) + "]";
    if (!message.IsObject()) return invalidArgument("Invalid JSON payload received at '" + at + "'.");
    PublishedMessage stored;
    for (const auto& field : message.GetObject()) {
      const std::string_view name = view(field.name);
      if (name == "data" && field.value.IsString()) {
        auto data = base64Decode(std::string(view(field.value)));
        if (!data) return invalidArgument("Invalid value at '" + at + ".data' (TYPE_BYTES), Base64 decoding failed");
        stored.data = std::move(*data);
      } else if (name == "orderingKey" && field.value.IsString()) {
        stored.ordering_key = view(field.value);
      } else if (name == "attributes" && field.value.IsObject()) {
        for (const auto& attribute : field.value.GetObject()) {
          if (!attribute.value.IsString()) return invalidArgument("Invalid value at '" + at + ".attributes'.");
          const std::string key(view(attribute.name));
          const std::string value(view(attribute.value));
          if (key.empty() || key.size() > 256 || key.starts_with("goog")) {
            return invalidArgument("The attribute key '" + key.substr(0, 64) + "' is not valid.");
          }
          if (value.size() > 1024) {
            return invalidArgument("The value for the attribute '" + key + "' is too large. You passed " +
                                   std::to_string(value.size()) + " bytes, but the maximum is 1024 bytes.");
          }
          stored.attributes[key] = value;
        }
        if (stored.attributes.size() > 100) {
          return invalidArgument("The number of message attributes (" + std::to_string(stored.attributes.size()) +
                                 ") exceeds the maximum of 100.");
        }
      } else {
        return invalidArgument("Invalid JSON payload received. Unknown name \"" + std::string(name) + "\" at '" + at +
                               "': Cannot find field.");
      }
    }
    if (stored.data.empty() && stored.attributes.empty()) {
      return invalidArgument("Some messages are empty: a message needs data or attributes.");
    }
    if (stored.ordering_key.size() > 1024) return invalidArgument("The ordering key is too large.");
    if (!received.empty() && stored.ordering_key != received.front().ordering_key) {
      return invalidArgument(
          "In a single publish request, all messages must have no ordering key or they must all have the same "
          "ordering key.");
    }
    request_size += stored.data.size() + stored.ordering_key.size();
    for (const auto& [key, value] : stored.attributes) request_size += key.size() + value.size();
    received.push_back(std::move(stored));
  }
  if (request_size > kMaxRequestSize) {
    return invalidArgument("The value for " + std::to_string(request_size) +
                           " is too large. You passed request_size in the request, but the maximum value is "
                           "10000000.");
  }
  if (!publish_script_.empty()) {
    Reply reply = std::move(publish_script_.front());
    publish_script_.pop_front();
    return reply;
  }
  std::string ids;
  for (std::size_t i = 0; i < received.size(); ++i) {
    ids += (i == 0 ? "\"" : ",\"") + std::to_string(4611686018427387904ULL + published_.size() + i) + "\"";
  }
  published_.insert(published_.end(), received.begin(), received.end());
  return Reply{.status = 200,
               .headers = {{"Content-Type", "application/json; charset=UTF-8"}},
               .body = R"({"messageIds":[)" + ids + "]}"};
}

}  // namespace ccm::fakes
