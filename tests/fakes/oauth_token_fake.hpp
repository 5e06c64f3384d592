#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fakes/cloudevents_receiver.hpp"
#include "fakes/loopback_http_server.hpp"

namespace ccm::fakes {

// The application registration a Microsoft Entra tenant knows.
struct EntraApp {
  std::string tenant = "6f1d2c4e-8a9b-4c3d-9e8f-7a6b5c4d3e2f";
  std::string client_id = "0e4c9a7b-1d2f-4e3a-8b5c-9f8e7d6c5b4a";
  std::string client_secret = "gw~Secret+with/odd&chars=";
  std::string scope = "https://eventgrid.azure.net/.default";
  std::chrono::seconds expires_in{3599};
};

// Microsoft Entra ID's v2.0 token endpoint on 127.0.0.1 for tests. Serves
// POST /{tenant}/oauth2/v2.0/token and, as Entra does, checks the form content
// type, grant_type=client_credentials, the client ID and secret and the
// scope, answering RFC 6749 section 5.2 errors with AADSTS codes otherwise.
// Grants opaque bearer tokens that expire by the fake's clock. Thread-safe.
class OAuthTokenFake {
public:
  explicit OAuthTokenFake(EntraApp app = {});

  // "http://127.0.0.1:<port>/<tenant>/oauth2/v2.0/token".
  std::string tokenUrl() const;
  // Answers the next token request with `reply` instead of checking it.
  void script(Reply reply);
  // The clock tokens expire by.
  FakeClock& clock() { return clock_; }

  // Whether `token` was granted here and has not expired: what Event Grid
  // asks of a bearer token.
  bool isValid(std::string_view token) const;
  std::vector<ReceivedRequest> requests() const;
  std::vector<std::string> issuedTokens() const;

private:
  struct Grant {
    std::string token;
    std::chrono::system_clock::time_point expires;
  };

  Reply answer(ReceivedRequest request);
  Reply grant(const ReceivedRequest& request);

  const EntraApp app_;
  mutable std::mutex mutex_;
  FakeClock clock_;
  std::deque<Reply> script_;
  std::vector<ReceivedRequest> requests_;
  std::vector<Grant> grants_;
  LoopbackHttpServer server_;  // last: stops before the state it uses goes
};

}  // namespace ccm::fakes
