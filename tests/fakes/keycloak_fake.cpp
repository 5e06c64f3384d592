#include "fakes/keycloak_fake.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <map>
#include <sstream>
#include <thread>

namespace ccm::fakes {
namespace {

Reply oauthError(int status, const std::string& error, const std::string& description) {
  return Reply{.status = status,
               .headers = {{"Content-Type", "application/json"}},
               .body = "{\"error\":\"" + error + "\",\"error_description\":\"" + description + "\"}"};
}

std::string formDecode(const std::string& text) {
  std::string decoded;
  Poco::URI::decode(text, decoded, true);
  return decoded;
}

// application/x-www-form-urlencoded; a name given twice is an error in OAuth (RFC 6749 3.1).
std::optional<std::map<std::string, std::string>> parseForm(const std::string& body) {
  std::map<std::string, std::string> fields;
  std::istringstream pairs(body);
  std::string pair;
  while (std::getline(pairs, pair, '&')) {
    const auto equals = pair.find('=');
    const std::string name = formDecode(pair.substr(0, equals));
    const std::string value = equals == std::string::npos ? "" : formDecode(pair.substr(equals + 1));
    if (!fields.emplace(name, value).second) return std::nullopt;
  }
  return fields;
}

std::string base64Decode(const std::string& text) {
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in);
  std::string decoded;
  Poco::StreamCopier::copyToString(decoder, decoded);
  return decoded;
}

std::string signingKey(int generation) {
  return "keycloak-fake-hs256-test-key-generation-" + std::to_string(generation);
}

}  // namespace

KeycloakFake::KeycloakFake(KeycloakFakeOptions options)
    : options_(std::move(options)),
      signing_key_(signingKey(1)),
      server_(std::make_unique<LoopbackHttpServer>([this](ReceivedRequest request) { return handle(std::move(request)); })) {}

KeycloakFake::~KeycloakFake() = default;

std::string KeycloakFake::issuer() const {
  return "http://127.0.0.1:" + std::to_string(server_->port()) + "/realms/" + options_.realm;
}

std::string KeycloakFake::tokenUrl() const {
  return issuer() + "/protocol/openid-connect/token";
}

void KeycloakFake::setExpiresIn(std::chrono::seconds expires_in) {
  std::lock_guard lock(mutex_);
  options_.expires_in = expires_in;
}

void KeycloakFake::rotateSigningKey() {
  std::lock_guard lock(mutex_);
  signing_key_ = signingKey(++key_generation_);
}

void KeycloakFake::script(Reply reply) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(reply));
}

std::vector<ReceivedRequest> KeycloakFake::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<std::string> KeycloakFake::issuedTokens() const {
  std::lock_guard lock(mutex_);
  return issued_;
}

std::optional<std::string> KeycloakFake::verify(const std::string& token, std::string* client_id) const {
  std::string key;
  {
    std::lock_guard lock(mutex_);
    key = signing_key_;
  }
  Poco::JWT::Token parsed;
  try {
    if (!Poco::JWT::Signer(key).tryVerify(token, parsed)) return "signature does not verify";
  } catch (const Poco::Exception& e) {
    return "not a JWT: " + e.displayText();
  }
  if (parsed.getIssuer() != issuer()) return "issuer is \"" + parsed.getIssuer() + "\"";
  if (!parsed.payload().has("exp")) return "no exp claim";
  if (parsed.getExpiration() <= Poco::Timestamp()) return "token expired";
  if (client_id != nullptr) *client_id = parsed.payload().optValue<std::string>("azp", "");
  return std::nullopt;
}

Reply KeycloakFake::handle(ReceivedRequest request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(request);
  const std::string path = "/realms/" + options_.realm + "/protocol/openid-connect/token";
  if (request.target != path) return oauthError(404, "not_found", "Unknown path");
  if (request.method != "POST") return oauthError(405, "invalid_request", "HTTP method not allowed");
  if (!script_.empty()) {
    Reply reply = std::move(script_.front());
    script_.pop_front();
    return reply;
  }
  return grant(request);
}

Reply KeycloakFake::grant(const ReceivedRequest& request) {
  const std::string content_type = request.header("Content-Type").value_or("");
  if (content_type.rfind("application/x-www-form-urlencoded", 0) != 0) {
    return oauthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
  }
  const auto form = parseForm(request.body);
  if (!form) return oauthError(400, "invalid_request", "duplicated form parameter");
  const auto field = [&](const std::string& name) -> std::optional<std::string> {
    auto it = form->find(name);
    return it == form->end() ? std::nullopt : std::optional(it->second);
  };
  if (!field("grant_type")) return oauthError(400, "invalid_request", "Missing form parameter: grant_type");
  if (field("grant_type") != "client_credentials") {
    return oauthError(400, "unsupported_grant_type", "Unsupported grant_type");
  }

  std::optional<std::string> id = field("client_id");
  std::optional<std::string> secret = field("client_secret");
  const std::string authorization = request.header("Authorization").value_or("");
  if (authorization.rfind("Basic ", 0) == 0) {
    // RFC 6749 2.3.1: a client authenticates one way only.
    if (secret) return oauthError(400, "invalid_request", "Multiple client authentication methods");
    const std::string credentials = base64Decode(authorization.substr(6));
    const auto colon = credentials.find(':');
    if (colon == std::string::npos) return oauthError(401, "invalid_client", "Invalid client credentials");
    id = formDecode(credentials.substr(0, colon));
    secret = formDecode(credentials.substr(colon + 1));
  }
  if (id != options_.client_id || secret != options_.client_secret) {
    return oauthError(401, "invalid_client", "Invalid client or Invalid client credentials");
  }

  const std::string token = sign(*id);
  issued_.push_back(token);
  return Reply{.status = 200,
               .headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}, {"Pragma", "no-cache"}},
               .body = "{\"access_token\":\"" + token +
                       "\",\"expires_in\":" + std::to_string(options_.expires_in.count()) +
                       ",\"refresh_expires_in\":0,\"token_type\":\"Bearer\",\"not-before-policy\":0,"
                       "\"scope\":\"profile email\"}"};
}

std::string KeycloakFake::sign(const std::string& client_id) {
  // The claims Keycloak puts in a service-account access token.
  Poco::JWT::Token token;
  token.setType("JWT");
  const Poco::Timestamp now;
  token.setIssuedAt(now);
  token.setExpiration(now + Poco::Timespan(options_.expires_in.count(), 0));
  token.setId("jti-" + std::to_string(issued_.size() + 1));
  token.setIssuer(issuer());
  token.setSubject("service-account-" + client_id);
  token.payload().set("typ", std::string("Bearer"));
  token.payload().set("azp", client_id);
  token.payload().set("scope", std::string("profile email"));
  token.payload().set("preferred_username", "service-account-" + client_id);
  return Poco::JWT::Signer(signing_key_).sign(token, Poco::JWT::Signer::ALGO_HS256);
}

}  // namespace ccm::fakes
