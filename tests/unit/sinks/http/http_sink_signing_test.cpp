// Standard Webhooks signing (config.signing), checked on real requests by a
// verifier written from the spec (github.com/standard-webhooks, spec v1) on
// OpenSSL's own HMAC, not the sink's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "fakes/cloudevents_receiver.hpp"
#include "http_sink_test_support.hpp"

namespace ccm::sinks::http {
namespace {

using ::testing::HasSubstr;
using testing::makeEvent;
using testing::makeEvents;
using testing::ScopedEnv;

// A key of 24 bytes, as the spec's examples have (and Python computed the
// expected signature below from it).
constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kOtherSecret = "whsec_a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=";
constexpr std::time_t kNow = 784111777;

std::string base64Of(const unsigned char* raw, int size) {
  std::string text(4 * ((size + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), raw, size);
  return text;
}

std::string keyOf(const std::string& secret) {
  const std::string encoded = secret.substr(6);  // after "whsec_"
  std::string key(encoded.size(), '\0');
  int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.data()),
                             reinterpret_cast<const unsigned char*>(encoded.data()), static_cast<int>(encoded.size()));
  size -= static_cast<int>(std::count(encoded.begin(), encoded.end(), '='));
  key.resize(static_cast<std::size_t>(size));
  return key;
}

// The spec's verification: every "v1,<base64>" entry of webhook-signature
// against HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}"); true
// when one matches.
bool verifies(const fakes::ReceivedRequest& request, const std::string& secret) {
  const auto id = request.header("webhook-id");
  const auto timestamp = request.header("webhook-timestamp");
  const auto signatures = request.header("webhook-signature");
  if (!id || !timestamp || !signatures) return false;
  const std::string key = keyOf(secret);
  const std::string content = *id + "." + *timestamp + "." + request.body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(content.data()),
       content.size(), mac, &mac_size);
  const std::string expected = "v1," + base64Of(mac, static_cast<int>(mac_size));
  std::istringstream entries(*signatures);
  for (std::string entry; entries >> entry;) {
    if (entry == expected) return true;
  }
  return false;
}

class HttpSinkSigning : public testing::ReceivingSinkFixture {
protected:
  HttpSinkSigning() { host_.fixed_now = std::chrono::system_clock::from_time_t(kNow); }

  ScopedEnv secret_{"CCM_TEST_WEBHOOK_SECRET", kSecret};
  ScopedEnv other_secret_{"CCM_TEST_WEBHOOK_SECRET_NEXT", kOtherSecret};
};

TEST_F(HttpSinkSigning, SignsTheEventIdTimestampAndBodyAsStandardWebhooksSpecifies) {
  auto sink = makeSink(configFor(R"("mode":"structured","signing":{"secrets":["env:CCM_TEST_WEBHOOK_SECRET"]})"));
  const auto requests = deliverAll(*sink, {makeEvent(1)}, 1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("webhook-id"), "evt-1");
  EXPECT_EQ(requests[0].header("webhook-timestamp"), std::to_string(kNow));
  // Computed with Python's hmac module from the spec's description.
  EXPECT_EQ(requests[0].header("webhook-signature"), "v1,deUEdjJl7j3uT4qVHLsrLTUSYTvoKPh70QXiknF6/hc=");
  EXPECT_TRUE(verifies(requests[0], kSecret));
  EXPECT_FALSE(verifies(requests[0], kOtherSecret));
}

TEST_F(HttpSinkSigning, ATamperedBodyOrTimestampNoLongerVerifies) {
  auto sink = makeSink(configFor(R"("signing":{"secrets":["env:CCM_TEST_WEBHOOK_SECRET"]})"));
  auto requests = deliverAll(*sink, {makeEvent(1)}, 1);
  ASSERT_EQ(requests.size(), 1u);
  ASSERT_TRUE(verifies(requests[0], kSecret));  // binary mode: the body is the data
  auto tampered = requests[0];
  tampered.body = R"({"n":2})";
  EXPECT_FALSE(verifies(tampered, kSecret));
  tampered = requests[0];
  for (auto& [name, value] : tampered.headers) {
    if (name == "webhook-timestamp") value = std::to_string(kNow + 1);
  }
  EXPECT_FALSE(verifies(tampered, kSecret));
}

TEST_F(HttpSinkSigning, DuringARotationEachSecretSignsTheRequest) {
  auto sink = makeSink(configFor(
      R"("mode":"structured","signing":{"secrets":["env:CCM_TEST_WEBHOOK_SECRET","env:CCM_TEST_WEBHOOK_SECRET_NEXT"]})"));
  const auto requests = deliverAll(*sink, {makeEvent(1)}, 1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(*requests[0].header("webhook-signature"),
              ::testing::MatchesRegex("v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*"));
  EXPECT_TRUE(verifies(requests[0], kSecret));
  EXPECT_TRUE(verifies(requests[0], kOtherSecret));
}

TEST_F(HttpSinkSigning, ABatchIsNamedByItsEventsSoARetryKeepsItsIdAndAnotherBatchDoesNot) {
  auto sink = makeSink(configFor(R"("mode":"batch","signing":{"secrets":["env:CCM_TEST_WEBHOOK_SECRET"]})"));
  deliverAll(*sink, makeEvents(2), 1);
  deliverAll(*sink, makeEvents(2), 2);
  const auto requests = deliverAll(*sink, makeEvents(3), 3);
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& request : requests) EXPECT_TRUE(verifies(request, kSecret));
  EXPECT_THAT(*requests[0].header("webhook-id"), ::testing::MatchesRegex("batch_[0-9a-f]{64}"));
  EXPECT_EQ(requests[0].header("webhook-id"), requests[1].header("webhook-id"));
  EXPECT_NE(requests[0].header("webhook-id"), requests[2].header("webhook-id"));
}

TEST_F(HttpSinkSigning, RefusesSecretsThatAreNotStandardWebhooksKeys) {
  ScopedEnv plain("CCM_TEST_PLAIN_SECRET", "not-a-whsec-secret");
  ScopedEnv short_key("CCM_TEST_SHORT_SECRET", "whsec_c2hvcnQ=");
  const auto signing = [this](const std::string& secrets) {
    return constructError(configFor(R"("signing":{"secrets":)" + secrets + "}"));
  };
  EXPECT_THAT(signing(R"(["env:CCM_TEST_WEBHOOK_SECRET","env:CCM_TEST_PLAIN_SECRET"])"),
              HasSubstr("http sink config \"signing.secrets[1]\": the secret must be \"whsec_\" followed by the key "
                        "in base64 (Standard Webhooks)"));
  EXPECT_THAT(signing(R"(["env:CCM_TEST_SHORT_SECRET"])"),
              HasSubstr("\"signing.secrets[0]\": the key is 5 bytes; Standard Webhooks keys are 24 to 64 random bytes"));
  EXPECT_THAT(signing("[]"), HasSubstr("\"signing.secrets\": must list one or more secrets"));
  EXPECT_THAT(constructError(configFor(
                  R"("headers":{"Webhook-Id":"x"},"signing":{"secrets":["env:CCM_TEST_WEBHOOK_SECRET"]})")),
              HasSubstr("\"headers.Webhook-Id\": conflicts with \"signing\""));
}

}  // namespace
}  // namespace ccm::sinks::http
