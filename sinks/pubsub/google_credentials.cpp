#include "google_credentials.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>

#include "common/config_object.hpp"
#include "common/percent_encoding.hpp"

namespace ccm::sinks::pubsub {
namespace {

constexpr std::string_view kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
// Google's token endpoint, for key files without token_uri.
constexpr std::string_view kDefaultTokenUri = "https://oauth2.googleapis.com/token";
// Google accepts assertions valid for at most an hour.
constexpr std::chrono::seconds kAssertionLifetime{3600};
constexpr std::string_view kKeyTokenFailure = "Google token request failed: ";
constexpr std::string_view kMetadataTokenFailure = "metadata server token request failed: ";

std::string stringMember(const rapidjson::Document& key, const char* name, bool required = true) {
  const auto it = key.FindMember(name);
  if (it == key.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0) {
    if (!required) return {};
    throw std::invalid_argument(std::string("the key file has no \"") + name + "\"");
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void writeMember(JsonWriter& writer, const char* name, std::string_view value) {
  writer.Key(name);
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

std::string json(const rapidjson::StringBuffer& buffer) {
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

ServiceAccountKey parseServiceAccountKey(std::string_view text) {
  rapidjson::Document key;
  key.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (key.HasParseError() || !key.IsObject()) throw std::invalid_argument("is not a JSON key file");
  const std::string type = stringMember(key, "type", false);
  if (type != "service_account") {
    throw std::invalid_argument("the key file's \"type\" is \"" + type +
                                "\"; the sink needs a service account key (\"type\": \"service_account\")");
  }
  const auto private_key = common::RsaPrivateKey::fromPem(stringMember(key, "private_key"));
  if (!private_key) throw std::invalid_argument("the key file's \"private_key\" is not a PEM RSA private key");
  std::string token_uri = stringMember(key, "token_uri", false);
  if (token_uri.empty()) token_uri = kDefaultTokenUri;
  if (!common::isHttpUrl(token_uri)) throw std::invalid_argument("the key file's \"token_uri\" is not an http(s) URL");
  return ServiceAccountKey{stringMember(key, "client_email"), stringMember(key, "private_key_id"), std::move(token_uri),
                           *private_key};
}

std::string jwtAssertion(const ServiceAccountKey& key, std::chrono::system_clock::time_point now) {
  rapidjson::StringBuffer header;
  JsonWriter header_writer(header);
  header_writer.StartObject();
  writeMember(header_writer, "alg", "RS256");
  writeMember(header_writer, "typ", "JWT");
  writeMember(header_writer, "kid", key.private_key_id);
  header_writer.EndObject();

  const auto issued = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  rapidjson::StringBuffer claims;
  JsonWriter claims_writer(claims);
  claims_writer.StartObject();
  writeMember(claims_writer, "iss", key.client_email);
  writeMember(claims_writer, "scope", kPubSubScope);
  writeMember(claims_writer, "aud", key.token_uri);
  claims_writer.Key("iat");
  claims_writer.Int64(issued);
  claims_writer.Key("exp");
  claims_writer.Int64(issued + kAssertionLifetime.count());
  claims_writer.EndObject();

  const std::string input = common::base64UrlEncode(json(header)) + "." + common::base64UrlEncode(json(claims));
  return input + "." + common::base64UrlEncode(key.private_key.signSha256(input));
}

std::string tokenRequestBody(std::string_view assertion) {
  using common::percentEncode;
  return "grant_type=" + percentEncode(kJwtBearerGrant, common::Space::Plus) +
         "&assertion=" + percentEncode(assertion, common::Space::Plus);
}

GoogleToken::GoogleToken(TokenSource source, sdk::Host& host, const sdk::HttpClientOptions& options)
    : source_(std::move(source)),
      host_(host),
      client_(host, options, "pubsub sink token"),
      token_([this] { return fetch(); }) {}

std::variant<common::IssuedToken, sdk::Outcome> GoogleToken::fetch() {
  if (!source_.key) {
    // The metadata server refuses a request without this header (403).
    const auto result = client_.send(sdk::HttpRequest{
        .method = "GET", .url = source_.metadata_url, .headers = {{"Metadata-Flavor", "Google"}}, .body = ""});
    return common::readTokenResponse(result, host_.clock().now(), kMetadataTokenFailure);
  }
  std::string assertion;
  try {
    assertion = jwtAssertion(*source_.key, host_.clock().now());
  } catch (const std::exception& e) {
    return sdk::Outcome::retryable(std::string(kKeyTokenFailure) + e.what());
  }
  const auto result = client_.send(sdk::HttpRequest{.method = "POST",
                                                    .url = source_.key->token_uri,
                                                    .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
                                                    .body = tokenRequestBody(assertion)});
  return common::readTokenResponse(result, host_.clock().now(), kKeyTokenFailure);
}

}  // namespace ccm::sinks::pubsub
