#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fakes/cloudevents_receiver.hpp"
#include "fakes/loopback_http_server.hpp"

// An OpenID Connect issuer on 127.0.0.1 for tests, laid out as a Keycloak
// realm: GET {issuer}/.well-known/openid-configuration (OpenID Connect
// Discovery 1.0: issuer, jwks_uri, ...) and GET
// {issuer}/protocol/openid-connect/certs (the JWK Set the test publishes;
// tokens are signed in the test with tests/support/jwt_signer.hpp). Other
// methods get 405, other paths 404, as Keycloak answers. Thread-safe.
namespace ccm::fakes {

class OidcIssuerFake {
public:
  explicit OidcIssuerFake(std::string realm = "labs");
  ~OidcIssuerFake();
  OidcIssuerFake(const OidcIssuerFake&) = delete;
  OidcIssuerFake& operator=(const OidcIssuerFake&) = delete;

  // "http://127.0.0.1:<port>/realms/<realm>"
  std::string issuer() const;
  std::string jwksUri() const;

  // The JWK Set served from now on ({"keys":[...]}).
  void publish(std::string jwks);
  // While unavailable every request is answered 503.
  void setAvailable(bool available);
  // GET requests of the JWK Set answered so far.
  int jwksFetches() const;
  std::vector<ReceivedRequest> requests() const;

private:
  Reply handle(ReceivedRequest request);

  std::string realm_;
  mutable std::mutex mutex_;
  std::string jwks_ = R"({"keys":[]})";
  bool available_ = true;
  int jwks_fetches_ = 0;
  std::vector<ReceivedRequest> requests_;
  std::unique_ptr<LoopbackHttpServer> server_;  // last: stops before the state it serves
};

}  // namespace ccm::fakes
