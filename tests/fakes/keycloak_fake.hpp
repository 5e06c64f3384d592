#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fakes/cloudevents_receiver.hpp"
#include "fakes/loopback_http_server.hpp"

// A Keycloak realm's token endpoint on 127.0.0.1 for tests: a real Poco HTTP
// server that grants OAuth 2.0 client-credentials tokens (RFC 6749 4.4) the
// way Keycloak does and issues real JWTs (HS256, signed with a test key).
namespace ccm::fakes {

struct KeycloakFakeOptions {
  std::string realm = "ccm";
  std::string client_id = "ccm-gateway";
  std::string client_secret = "gateway-secret";
  std::chrono::seconds expires_in{300};
};

// Serves POST /realms/{realm}/protocol/openid-connect/token. Like Keycloak it
// checks the form content type, grant_type=client_credentials and the client
// credentials, given either by HTTP Basic (client_secret_basic, values
// form-encoded first, RFC 6749 2.3.1) or in the form (client_secret_post) but
// not both; it answers 400/401 with an RFC 6749 5.2 error body otherwise.
// Scripted replies take the place of the next grants (e.g. a 503). Thread-safe.
class KeycloakFake {
public:
  explicit KeycloakFake(KeycloakFakeOptions options = {});
  ~KeycloakFake();
  KeycloakFake(const KeycloakFake&) = delete;
  KeycloakFake& operator=(const KeycloakFake&) = delete;

  std::uint16_t port() const { return server_->port(); }
  // "http://127.0.0.1:<port>/realms/<realm>/protocol/openid-connect/token"
  std::string tokenUrl() const;
  // The JWT "iss" claim: "http://127.0.0.1:<port>/realms/<realm>".
  std::string issuer() const;

  // Lifetime of tokens issued from now on (JWT exp and expires_in).
  void setExpiresIn(std::chrono::seconds expires_in);
  // Signs tokens issued from now on with a new key; tokens issued before no
  // longer verify, as after a realm key rotation.
  void rotateSigningKey();
  // Answers the next token request with `reply` instead of a grant.
  void script(Reply reply);

  // Checks a bearer token as a resource server would: the HS256 signature
  // with the current key, the issuer and exp. nullopt if valid, else why not.
  // On success sets `client_id` to the token's azp claim when given.
  std::optional<std::string> verify(const std::string& token, std::string* client_id = nullptr) const;

  // Every request to the server, in arrival order.
  std::vector<ReceivedRequest> requests() const;
  // Tokens granted so far, in order.
  std::vector<std::string> issuedTokens() const;

private:
  Reply handle(ReceivedRequest request);
  Reply grant(const ReceivedRequest& request);
  std::string sign(const std::string& client_id);

  KeycloakFakeOptions options_;
  mutable std::mutex mutex_;
  std::string signing_key_;
  int key_generation_ = 1;
  std::deque<Reply> script_;
  std::vector<ReceivedRequest> requests_;
  std::vector<std::string> issued_;
  std::unique_ptr<LoopbackHttpServer> server_;  // last: stops before the state it serves
};

}  // namespace ccm::fakes
