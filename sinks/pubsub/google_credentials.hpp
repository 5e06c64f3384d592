#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/crypto.hpp"
#include "common/metered_http_client.hpp"
#include "common/oauth_token.hpp"

// Google OAuth 2.0 access tokens for Pub/Sub: from a service account key
// ("Using OAuth 2.0 for Server to Server Applications": a self-signed JWT
// exchanged at the key's token_uri) or from the GCE/GKE metadata server.
namespace ccm::sinks::pubsub {

// The scope the sink's tokens are for.
inline constexpr std::string_view kPubSubScope = "https://www.googleapis.com/auth/pubsub";
// The metadata server's token for the instance's default service account.
inline constexpr std::string_view kMetadataHost = "metadata.google.internal";
inline constexpr std::string_view kMetadataTokenPath = "/computeMetadata/v1/instance/service-accounts/default/token";

// What a service account key file (JSON, "type": "service_account") gives the sink.
struct ServiceAccountKey {
  std::string client_email;
  std::string private_key_id;
  std::string token_uri;
  common::RsaPrivateKey private_key;
};

// Reads a key file's JSON. Throws std::invalid_argument saying what is
// missing or wrong, without quoting the private key.
ServiceAccountKey parseServiceAccountKey(std::string_view json);

// The JWT the sink signs (RS256): header {"alg":"RS256","typ":"JWT","kid":
// private_key_id}, claims {"iss": client_email, "scope": kPubSubScope, "aud":
// token_uri, "iat": now, "exp": now + 3600}.
std::string jwtAssertion(const ServiceAccountKey& key, std::chrono::system_clock::time_point now);

// RFC 7523 section 2.1: the form-encoded token request carrying the assertion.
std::string tokenRequestBody(std::string_view assertion);

// Where tokens come from: a key, or the metadata server at `metadata_url`.
struct TokenSource {
  std::optional<ServiceAccountKey> key;
  std::string metadata_url;  // used without a key
};

// A cached access token from `source`, fetched with a client of its own
// (metered as "pubsub_sink_token_*"). Thread-safe.
class GoogleToken {
public:
  GoogleToken(TokenSource source, sdk::Host& host, const sdk::HttpClientOptions& options);

  // "Bearer <token>", or the outcome the request's events get when no token
  // can be had; the message starts with where the token came from.
  std::variant<std::string, sdk::Outcome> authorization(std::chrono::system_clock::time_point now) {
    return token_.authorization(now);
  }
  // Pub/Sub answered 401: the next authorization() fetches a new token.
  void drop() { token_.drop(); }

private:
  std::variant<common::IssuedToken, sdk::Outcome> fetch();

  const TokenSource source_;
  sdk::Host& host_;
  common::MeteredHttpClient client_;
  common::BearerToken token_;
};

}  // namespace ccm::sinks::pubsub
