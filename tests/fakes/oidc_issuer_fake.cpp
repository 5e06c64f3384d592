#include "fakes/oidc_issuer_fake.hpp"

namespace ccm::fakes {
namespace {

Reply json(std::string body) { return Reply{.status = 200, .headers = {{"Content-Type", "application/json"}}, .body = std::move(body)}; }

}  // namespace

OidcIssuerFake::OidcIssuerFake(std::string realm)
    : realm_(std::move(realm)),
      server_(std::make_unique<LoopbackHttpServer>([this](ReceivedRequest request) { return handle(std::move(request)); })) {}

OidcIssuerFake::~OidcIssuerFake() { server_.reset(); }

std::string OidcIssuerFake::issuer() const { return server_->url("/realms/" + realm_); }

std::string OidcIssuerFake::jwksUri() const { return issuer() + "/protocol/openid-connect/certs"; }

void OidcIssuerFake::publish(std::string jwks) {
  std::lock_guard lock(mutex_);
  jwks_ = std::move(jwks);
}

void OidcIssuerFake::setAvailable(bool available) {
  std::lock_guard lock(mutex_);
  available_ = available;
}

int OidcIssuerFake::jwksFetches() const {
  std::lock_guard lock(mutex_);
  return jwks_fetches_;
}

std::vector<ReceivedRequest> OidcIssuerFake::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

Reply OidcIssuerFake::handle(ReceivedRequest request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(request);
  if (!available_) return Reply{.status = 503, .body = "issuer unavailable"};
  const std::string prefix = "/realms/" + realm_;
  const bool discovery = request.target == prefix + "/.well-known/openid-configuration";
  const bool certs = request.target == prefix + "/protocol/openid-connect/certs";
  if (!discovery && !certs) return Reply{.status = 404, .body = R"({"error":"Unable to find matching target resource method"})"};
  if (request.method != "GET") return Reply{.status = 405, .headers = {{"Allow", "GET"}}};
  if (certs) {
    ++jwks_fetches_;
    return json(jwks_);
  }
  const auto iss = issuer();
  return json(R"({"issuer":")" + iss + R"(","authorization_endpoint":")" + iss +
              R"(/protocol/openid-connect/auth","token_endpoint":")" + iss +
              R"(/protocol/openid-connect/token","jwks_uri":")" + jwksUri() +
              R"(","response_types_supported":["code"],"subject_types_supported":["public"],)"
              R"("id_token_signing_alg_values_supported":["RS256","PS256","ES256"]})");
}

}  // namespace ccm::fakes
