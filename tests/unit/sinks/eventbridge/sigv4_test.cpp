#include "sigv4.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace ccm::sinks::eventbridge {
namespace {

// The AWS Signature Version 4 test suite (aws-sig-v4-test-suite, as AWS
// published it and as awslabs/aws-c-auth carries it): its credentials, date,
// region and service, and its expected canonical request, string to sign and
// signature for each request.
const AwsCredentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
constexpr std::string_view kSuiteDate = "20150830T123600Z";
constexpr std::string_view kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view kScopeLine = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n";

Signature signSuite(std::string_view method, const sdk::HttpHeaders& headers, std::string_view body,
                    const AwsCredentials& credentials = kSuiteCredentials) {
  return signV4({.method = method,
                 .path = "/",
                 .headers = headers,
                 .body = body,
                 .region = "us-east-1",
                 .service = "service",
                 .amz_date = kSuiteDate},
                credentials);
}

TEST(EventBridgeSigV4, ReproducesGetVanilla) {
  const Signature s =
      signSuite("GET", {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", std::string(kSuiteDate)}}, "");
  EXPECT_EQ(s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" +
                std::string(kEmptyHash));
  EXPECT_EQ(s.string_to_sign,
            std::string(kScopeLine) + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(EventBridgeSigV4, ReproducesPostXWwwFormUrlencoded) {
  const Signature s = signSuite("POST",
                                {{"Content-Type", "application/x-www-form-urlencoded"},
                                 {"Host", "example.amazonaws.com"},
                                 {"X-Amz-Date", std::string(kSuiteDate)}},
                                "Param1=value1");
  EXPECT_EQ(s.canonical_request,
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  EXPECT_EQ(s.string_to_sign,
            std::string(kScopeLine) + "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
  EXPECT_EQ(s.signature, "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(EventBridgeSigV4, ReproducesPostStsHeaderBefore) {
  const std::string token =
      "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUu"
      "wthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQc"
      "HNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/"
      "oLxBA==";
  const Signature s = signSuite(
      "POST",
      {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", std::string(kSuiteDate)}, {"X-Amz-Security-Token", token}}, "",
      AwsCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token});
  EXPECT_EQ(s.canonical_request,
            "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
            "x-amz-security-token:" +
                token + "\n\nhost;x-amz-date;x-amz-security-token\n" + std::string(kEmptyHash));
  EXPECT_EQ(s.string_to_sign,
            std::string(kScopeLine) + "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6");
  EXPECT_EQ(s.signature, "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
}

TEST(EventBridgeSigV4, ReproducesGetHeaderValueTrim) {
  // Values are trimmed and inner runs of spaces folded, inside quotes too.
  const Signature s = signSuite("GET",
                                {{"Host", "example.amazonaws.com"},
                                 {"My-Header1", " value1"},
                                 {"My-Header2", " \"a   b   c\""},
                                 {"X-Amz-Date", std::string(kSuiteDate)}},
                                "");
  EXPECT_EQ(s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
            "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" +
                std::string(kEmptyHash));
  EXPECT_EQ(s.signature, "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

TEST(EventBridgeSigV4, AmzDateIsTheBasicIso8601FormInUtc) {
  EXPECT_EQ(amzDate(std::chrono::system_clock::from_time_t(1440938160)), "20150830T123600Z");
}

}  // namespace
}  // namespace ccm::sinks::eventbridge
