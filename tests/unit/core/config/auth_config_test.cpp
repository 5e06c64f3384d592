// server.auth, server.allow_unauthenticated and a source's "auth": {"jwt": ...}.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/auth_config_reader.hpp"
#include "config/config_loader.hpp"
#include "http/host_address.hpp"

namespace ccm::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

sdk::Result<GatewayConfig> load(const std::string& server, const std::string& rest = "") {
  return loadConfigText(R"({"sinks": [], "server": )" + server + rest + "}", "gw.json",
                        [](const std::string&) { return std::nullopt; });
}

const std::string kOidc = R"("oidc": {"issuer": "https://keycloak.example/realms/labs", "audience": "ccm-gateway"})";

TEST(AuthConfig, ReadsEverySettingWithDefaults) {
  auto config = load(R"({"host": "0.0.0.0", "tls": {"cert_file": "c", "key_file": "k", "client_ca_file": "ca",
    "client_auth": "optional"}, "auth": {)" + kOidc + R"(,
    "api_keys": [{"name": "ci-bot", "key_sha256": "env:CI_KEY_SHA256", "roles": ["operator"]}],
    "role_names": {"admin": "ccm-admin"}, "public_paths": ["/healthz"],
    "client_certificates": [{"subject": "CN=runner,O=Labs", "roles": ["viewer"]}]}})");
  ASSERT_TRUE(config) << config.error().message;
  const auto& auth = config.value().server.auth;
  ASSERT_TRUE(auth);
  ASSERT_TRUE(auth->oidc);
  EXPECT_EQ(auth->oidc->issuer, "https://keycloak.example/realms/labs");
  EXPECT_EQ(auth->oidc->audience, "ccm-gateway");
  EXPECT_EQ(auth->oidc->roles_claim, "realm_access.roles");
  EXPECT_EQ(auth->oidc->jwks_refresh_seconds, 3600);
  EXPECT_EQ(auth->oidc->clock_skew_seconds, 60);
  ASSERT_EQ(auth->api_keys.size(), 1u);
  EXPECT_EQ(auth->api_keys[0].name, "ci-bot");
  EXPECT_EQ(auth->api_keys[0].key_sha256, "env:CI_KEY_SHA256");
  EXPECT_THAT(auth->api_keys[0].roles, ElementsAre("operator"));
  EXPECT_EQ(auth->api_keys[0].pointer, "/server/auth/api_keys/0");
  EXPECT_EQ(auth->role_names.at("admin"), "ccm-admin");
  EXPECT_THAT(auth->public_paths, ElementsAre("/healthz"));
  ASSERT_EQ(auth->client_certificates.size(), 1u);
  EXPECT_EQ(auth->client_certificates[0].subject, "CN=runner,O=Labs");
  EXPECT_FALSE(config.value().server.allow_unauthenticated);
}

TEST(AuthConfig, PublicPathsDefaultToTheHealthChecksAndTheOpenApiDocument) {
  auto config = load(R"({"auth": {"api_keys": [{"name": "k", "key_sha256": ")" + std::string(64, 'a') +
                     R"(", "roles": ["viewer"]}]}})");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_THAT(config.value().server.auth->public_paths, ElementsAre("/healthz", "/readyz", "/api/v1/openapi.json"));
}

TEST(AuthConfig, WithoutAuthOnlyLoopbackAddressesAreServed) {
  for (const auto* host : {"127.0.0.1", "127.0.0.53", "::1", "localhost"}) {
    EXPECT_TRUE(load(R"({"host": ")" + std::string(host) + R"("})")) << host;
  }
  auto open = load(R"({"host": "0.0.0.0"})");
  ASSERT_FALSE(open);
  EXPECT_THAT(open.error().message, HasSubstr("gw.json:1: /server/host: \"0.0.0.0\" is not a loopback address"));
  EXPECT_THAT(open.error().message, HasSubstr("configure server.auth (docs/security.md), or set \"server\": "
                                              "{\"allow_unauthenticated\": true}"));
  auto allowed = load(R"({"host": "0.0.0.0", "allow_unauthenticated": true})");
  ASSERT_TRUE(allowed) << allowed.error().message;
  EXPECT_TRUE(allowed.value().server.allow_unauthenticated);
}

TEST(AuthConfig, TheIssuerMustUseHttpsUnlessOnLoopback) {
  auto plain = load(R"({"auth": {"oidc": {"issuer": "http://keycloak.example/realms/labs", "audience": "a"}}})");
  ASSERT_FALSE(plain);
  EXPECT_THAT(plain.error().message, HasSubstr("/server/auth/oidc/issuer: \"http://keycloak.example/realms/labs\" "
                                               "must use https:// (http:// only on a loopback address)"));
  EXPECT_TRUE(load(R"({"auth": {"oidc": {"issuer": "http://127.0.0.1:8180/realms/labs", "audience": "a"}}})"));
  auto query = load(R"({"auth": {"oidc": {"issuer": "https://k.example/realms/labs?x=1", "audience": "a"}}})");
  ASSERT_FALSE(query);
  EXPECT_THAT(query.error().message, HasSubstr("must not have a query or fragment"));
}

TEST(AuthConfig, RefusesWhatCouldLetNoOneInOrEveryoneIn) {
  auto empty = load(R"({"auth": {}})");
  ASSERT_FALSE(empty);
  EXPECT_THAT(empty.error().message, HasSubstr("/server/auth: set at least one of \"oidc\", \"api_keys\" or "
                                               "\"client_certificates\""));
  const std::string key = R"({"name": "k", "key_sha256": "env:K", "roles": ["viewer"]})";
  auto twice = load(R"({"auth": {"api_keys": [)" + key + "," + key + "]}}");
  ASSERT_FALSE(twice);
  EXPECT_THAT(twice.error().message, HasSubstr("/server/auth/api_keys/1/name: duplicate API key name \"k\""));
  auto literal = load(R"({"auth": {"api_keys": [{"name": "k", "key_sha256": "the-key-itself", "roles": ["viewer"]}]}})");
  ASSERT_FALSE(literal) << "a key in clear is not a SHA-256";
  EXPECT_THAT(literal.error().message, HasSubstr("/server/auth/api_keys/0/key_sha256"));
  auto role = load(R"({"auth": {"api_keys": [{"name": "k", "key_sha256": "env:K", "roles": ["root"]}]}})");
  ASSERT_FALSE(role);
  EXPECT_THAT(role.error().message, HasSubstr("/server/auth/api_keys/0/roles/0"));
  auto certificates = load(R"({"auth": {"client_certificates": [{"subject": "CN=x", "roles": ["admin"]}]}})");
  ASSERT_FALSE(certificates);
  EXPECT_THAT(certificates.error().message, HasSubstr("/server/auth/client_certificates: needs "
                                                      "/server/tls/client_auth \"optional\" or \"required\""));
  auto shared_name = load(R"({"auth": {"api_keys": [)" + key + R"(], "role_names": {"viewer": "staff", "admin": "staff"}}})");
  ASSERT_FALSE(shared_name) << "a viewer would be an admin";
  EXPECT_THAT(shared_name.error().message, HasSubstr("\"staff\" names another role too"));
  auto required_role = load(R"({"auth": {"oidc": {"issuer": "https://k.example/r", "audience": "a",
    "required_role": "x"}}})");
  ASSERT_FALSE(required_role);
  EXPECT_THAT(required_role.error().message, HasSubstr("only a source's \"jwt\" takes required_role"));
}

TEST(AuthConfig, ASourceMayTakeAnIssuersTokens) {
  auto config = load("{}", R"(, "sources": [{"name": "grading", "plugin": "grading", "auth": {"jwt": {
    "issuer": "https://keycloak.example/realms/labs", "audience": "ccm-gateway", "required_role": "grading-engine",
    "roles_claim": "resource_access.ccm-gateway.roles"}}}])");
  ASSERT_TRUE(config) << config.error().message;
  const auto& jwt = config.value().sources.at(0).auth->jwt;
  ASSERT_TRUE(jwt);
  EXPECT_EQ(jwt->required_role, "grading-engine");
  EXPECT_EQ(jwt->oidc.roles_claim, "resource_access.ccm-gateway.roles");
  auto without_role = load("{}", R"(, "sources": [{"name": "grading", "plugin": "grading", "auth": {"jwt": {
    "issuer": "https://keycloak.example/realms/labs", "audience": "ccm-gateway"}}}])");
  ASSERT_FALSE(without_role);
  EXPECT_THAT(without_role.error().message, HasSubstr("/sources/0/auth/jwt"));
  EXPECT_THAT(without_role.error().message, HasSubstr("required_role"));
}

TEST(AuthConfig, LoopbackHostsAreThoseOnlyThisMachineReaches) {
  EXPECT_TRUE(isLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(isLoopbackHost("[::1]"));
  EXPECT_FALSE(isLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(isLoopbackHost("::"));
  EXPECT_FALSE(isLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(isLoopbackHost("localhost.example.com"));
  EXPECT_FALSE(isLoopbackHost("127.evil.example")) << "a name, not an address";
  EXPECT_TRUE(isLoopbackHost("::ffff:127.0.0.1"));
}

}  // namespace
}  // namespace ccm::core
