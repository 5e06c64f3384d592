#include "fakes/oauth_token_fake.hpp"

#include <Poco/URI.h>

#include <algorithm>
#include <map>
#include <utility>

namespace ccm::fakes {
namespace {

// application/x-www-form-urlencoded: '+' is a space, then percent-decoding.
std::map<std::string, std::string> parseForm(const std::string& body) {
  std::map<std::string, std::string> form;
  std::size_t start = 0;
  while (start <= body.size()) {
    const std::size_t end = std::min(body.find('&', start), body.size());
    std::string pair = body.substr(start, end - start);
    std::ranges::replace(pair, '+', ' ');
    const std::size_t equals = pair.find('=');
    std::string name, value;
    Poco::URI::decode(pair.substr(0, equals), name);
    if (equals != std::string::npos) Poco::URI::decode(pair.substr(equals + 1), value);
    if (!name.empty()) form[name] = value;
    start = end + 1;
  }
  return form;
}

// RFC 6749 section 5.2, with Entra's AADSTS code leading the description.
Reply oauthError(int status, const std::string& error, const std::string& description) {
  return Reply{.status = status,
               .headers = {{"Content-Type", "application/json; charset=utf-8"}},
               .body = R"({"error":")" + error + R"(","error_description":")" + description +
                       R"(","error_codes":[0],"timestamp":"2025-03-14 09:26:53Z"})"};
}

}  // namespace

OAuthTokenFake::OAuthTokenFake(EntraApp app)
    : app_(std::move(app)), server_([this](ReceivedRequest request) { return answer(std::move(request)); }) {}

std::string OAuthTokenFake::tokenUrl() const {
  return server_.url("/" + app_.tenant + "/oauth2/v2.0/token");
}

void OAuthTokenFake::script(Reply reply) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(reply));
}

bool OAuthTokenFake::isValid(std::string_view token) const {
  std::lock_guard lock(mutex_);
  return std::ranges::any_of(grants_,
                             [&](const Grant& grant) { return grant.token == token && clock_.now() < grant.expires; });
}

std::vector<ReceivedRequest> OAuthTokenFake::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<std::string> OAuthTokenFake::issuedTokens() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> tokens;
  for (const auto& grant : grants_) tokens.push_back(grant.token);
  return tokens;
}

Reply OAuthTokenFake::answer(ReceivedRequest request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(request);
  if (!script_.empty()) {
    Reply reply = std::move(script_.front());
    script_.pop_front();
    return reply;
  }
  return grant(request);
}

Reply OAuthTokenFake::grant(const ReceivedRequest& request) {
  if (request.method != "POST")
    return oauthError(405, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests.");
  if (request.target != "/" + app_.tenant + "/oauth2/v2.0/token") {
    return oauthError(400, "invalid_request", "AADSTS90002: Tenant not found.");
  }
  if (!request.header("Content-Type").value_or("").starts_with("application/x-www-form-urlencoded")) {
    return oauthError(400, "invalid_request",
                      "AADSTS900144: The request body must contain the following parameter: 'grant_type'.");
  }
  auto form = parseForm(request.body);
  if (form["grant_type"] != "client_credentials") {
    return oauthError(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.");
  }
  if (form["client_id"] != app_.client_id) {
    return oauthError(400, "unauthorized_client",
                      "AADSTS700016: Application with identifier '" + form["client_id"] + "' was not found.");
  }
  if (form["client_secret"] != app_.client_secret) {
    return oauthError(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.");
  }
  if (form["scope"] != app_.scope) {
    return oauthError(400, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid.");
  }
  const std::string token = "eyJ0eXAiOiJKV1QifQ.fake-entra-token." + std::to_string(grants_.size() + 1);
  grants_.push_back({token, clock_.now() + app_.expires_in});
  const std::string lifetime = std::to_string(app_.expires_in.count());
  return Reply{.status = 200,
               .headers = {{"Content-Type", "application/json; charset=utf-8"}},
               .body = R"({"token_type":"Bearer","expires_in":)" + lifetime + R"(,"ext_expires_in":)" + lifetime +
                       R"(,"access_token":")" + token + "\"}"};
}

}  // namespace ccm::fakes
