// The "ingress" section and the sources' "auth" objects of the gateway config.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.hpp"

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

sdk::Result<GatewayConfig> load(const std::string& ingress, const std::string& auth) {
  const std::string text = R"({"sinks": [], "ingress": )" + ingress +
                           R"(, "sources": [{"name": "lds", "plugin": "lds", "auth": )" + auth + "}]}";
  return loadConfigText(text, "gw.json", [](const std::string&) { return std::nullopt; });
}

TEST(IngressConfig, DefaultsMatchTheDocumentation) {
  auto config = load("{}", R"({"bearer_token": "env:LDS_TOKEN"})");
  ASSERT_TRUE(config) << config.error().message;
  const auto& ingress = config.value().ingress;
  EXPECT_EQ(ingress.max_body_bytes, 1u << 20);
  EXPECT_EQ(ingress.max_depth, 64u);
  EXPECT_EQ(ingress.dedup_ttl_seconds, 86400);
  EXPECT_EQ(ingress.unclaimed, GatewayConfig::Ingress::Unclaimed::Reject);
  EXPECT_FALSE(ingress.forward_auth);
  const auto& auth = config.value().sources.at(0).auth;
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->bearer_token, "env:LDS_TOKEN");
  EXPECT_EQ(auth->pointer, "/sources/0/auth");
}

TEST(IngressConfig, ReadsEverySetting) {
  auto config = load(R"({"max_body_bytes": 4096, "max_depth": 8, "dedup_ttl_seconds": 60, "unclaimed": "forward",
    "forward_auth": {"hmac_secret": "file:/run/secrets/fwd", "header": "X-Hub-Signature-256"}})",
                     R"({"hmac_secret": "env:LDS_SECRET", "algorithm": "sha256"})");
  ASSERT_TRUE(config) << config.error().message;
  const auto& ingress = config.value().ingress;
  EXPECT_EQ(ingress.max_body_bytes, 4096u);
  EXPECT_EQ(ingress.max_depth, 8u);
  EXPECT_EQ(ingress.dedup_ttl_seconds, 60);
  EXPECT_EQ(ingress.unclaimed, GatewayConfig::Ingress::Unclaimed::Forward);
  ASSERT_TRUE(ingress.forward_auth);
  EXPECT_EQ(ingress.forward_auth->hmac_secret, "file:/run/secrets/fwd");
  EXPECT_EQ(ingress.forward_auth->header, "X-Hub-Signature-256");
  EXPECT_EQ(config.value().sources.at(0).auth->header, "X-Signature");
}

TEST(IngressConfig, ASourceWithoutCredentialsIsRefused) {
  auto config = loadConfigText(R"({"sinks": [], "sources": [{"name": "lds", "plugin": "lds"}]})", "gw.json",
                               [](const std::string&) { return std::nullopt; });
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("/sources/0: missing required property \"auth\""));
}

TEST(IngressConfig, ExactlyOneCredentialIsRequired) {
  auto both = load("{}", R"({"bearer_token": "env:A", "hmac_secret": "env:B"})");
  ASSERT_FALSE(both);
  EXPECT_THAT(both.error().message,
              HasSubstr("/sources/0/auth: set exactly one of \"bearer_token\", \"hmac_secret\" or \"jwt\""));
  EXPECT_FALSE(load("{}", "{}"));
}

TEST(IngressConfig, HmacSettingsDoNotGoWithABearerToken) {
  auto config = load("{}", R"({"bearer_token": "env:A", "header": "X-Sig"})");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("go with \"hmac_secret\""));
}

TEST(IngressConfig, SecretsMustBeReferencesNotLiterals) {
  auto config = load("{}", R"({"bearer_token": "hunter2"})");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("/sources/0/auth/bearer_token"));
}

TEST(IngressConfig, AnUnknownUnclaimedModeIsRefused) {
  auto config = load(R"({"unclaimed": "drop"})", R"({"bearer_token": "env:A"})");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("/ingress/unclaimed: expected one of \"reject\", \"forward\""));
}

}  // namespace
}  // namespace ccm::core
