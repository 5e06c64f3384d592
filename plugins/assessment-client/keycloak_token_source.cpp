#include "keycloak_token_source.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/URI.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace ccm::plugins::assessment_client {
namespace {

// application/x-www-form-urlencoded: everything but RFC 3986 unreserved characters is escaped.
std::string formEncode(const std::string& value) {
  std::string encoded;
  Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]", encoded);
  return encoded;
}

std::string base64(const std::string& raw) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << raw;
  encoder.close();
  return out.str();
}

Failure tokenFailure(const std::string& message, bool transient) {
  return Failure{sdk::Error{"token_url", "Keycloak token request: " + message}, transient};
}

// {"error": "invalid_client", "error_description": "..."} (RFC 6749 5.2), when the body has it.
std::string oauthError(const sdk::HttpResponse& response) {
  rapidjson::Document body;
  body.Parse(response.body.data(), response.body.size());
  if (body.HasParseError() || !body.IsObject() || !body.HasMember("error") || !body["error"].IsString()) {
    return describeResponse(response);
  }
  std::string text = std::to_string(response.status) + " " + body["error"].GetString();
  if (body.HasMember("error_description") && body["error_description"].IsString()) {
    text += std::string(" (") + body["error_description"].GetString() + ")";
  }
  return text;
}

}  // namespace

KeycloakTokenSource::KeycloakTokenSource(const AssessmentClientConfig& config, sdk::Host& host, sdk::HttpClient& http)
    : config_(config), host_(host), http_(http) {}

Attempt<std::string> KeycloakTokenSource::token() {
  std::lock_guard lock(mutex_);
  const auto now = host_.clock().now();
  if (!token_.empty() && now < refresh_at_) return token_;
  return fetch(now);
}

void KeycloakTokenSource::invalidate(const std::string& rejected) {
  std::lock_guard lock(mutex_);
  if (token_ == rejected) token_.clear();
}

sdk::HttpRequest KeycloakTokenSource::tokenRequest() const {
  sdk::HttpRequest request{
      .method = "POST",
      .url = config_.token_url,
      .headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}},
      .body = "grant_type=client_credentials"};
  if (config_.client_authentication == ClientAuthentication::Basic) {
    // RFC 6749 2.3.1: id and secret are form-encoded before the Basic encoding.
    request.headers.emplace_back(
        "Authorization", "Basic " + base64(formEncode(config_.client_id) + ":" + formEncode(config_.client_secret)));
  } else {
    request.body +=
        "&client_id=" + formEncode(config_.client_id) + "&client_secret=" + formEncode(config_.client_secret);
  }
  return request;
}

Attempt<std::string> KeycloakTokenSource::fetch(std::chrono::system_clock::time_point now) {
  token_.clear();
  auto sent = http_.send(tokenRequest());
  const bool ok = sent && sent.value().status == 200;
  host_.metrics().add("assessment_client_token_fetches_total", 1, {{"outcome", ok ? "ok" : "failed"}});
  if (!sent) return tokenFailure(sent.error().message, isTransientTransportError(sent.error()));
  const sdk::HttpResponse& response = sent.value();
  if (response.status != 200) return tokenFailure(oauthError(response), isTransientStatus(response.status));

  rapidjson::Document body;
  body.Parse(response.body.data(), response.body.size());
  if (body.HasParseError() || !body.IsObject()) return tokenFailure("200 response is not a JSON object", false);
  const auto access_token = body.FindMember("access_token");
  if (access_token == body.MemberEnd() || !access_token->value.IsString() ||
      access_token->value.GetStringLength() == 0) {
    return tokenFailure("200 response has no access_token string", false);
  }
  if (const auto type = body.FindMember("token_type"); type != body.MemberEnd()) {
    std::string kind = type->value.IsString() ? type->value.GetString() : "";
    std::ranges::transform(kind, kind.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (kind != "bearer") return tokenFailure("token_type is not \"Bearer\"", false);
  }
  const auto expires_in = body.FindMember("expires_in");
  if (expires_in == body.MemberEnd() || !expires_in->value.IsUint64() || expires_in->value.GetUint64() == 0) {
    return tokenFailure("200 response has no positive integer expires_in", false);
  }

  // Refresh `token_refresh_margin` before expiry, or halfway through a
  // lifetime shorter than twice the margin, so a short-lived token is still reused.
  const std::chrono::seconds lifetime(expires_in->value.GetUint64());
  refresh_at_ = now + lifetime - std::min<std::chrono::seconds>(config_.token_refresh_margin, lifetime / 2);
  token_.assign(access_token->value.GetString(), access_token->value.GetStringLength());
  host_.logger().log(sdk::LogLevel::Debug, "fetched an access token from Keycloak",
                     {{"token_url", config_.token_url}, {"expires_in", std::to_string(lifetime.count())}});
  return token_;
}

}  // namespace ccm::plugins::assessment_client
