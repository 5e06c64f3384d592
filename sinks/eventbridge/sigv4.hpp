#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "ccm/sdk/host.hpp"

// AWS Signature Version 4 for requests signed in the Authorization header
// (IAM User Guide, "Create a signed AWS API request"). Pure functions.
namespace ccm::sinks::eventbridge {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term credentials
};

// What is signed. `path` is the canonical URI as sent: the sink only signs
// paths of unreserved characters and '/', which need no further encoding, and
// never a query string. Every header in `headers` is signed; host and
// x-amz-date must be among them.
struct SigningInput {
  std::string_view method;
  std::string_view path;
  const sdk::HttpHeaders& headers;
  std::string_view body;
  std::string_view region;
  std::string_view service;
  std::string_view amz_date;  // ISO 8601 basic format, "20150830T123600Z"
};

// Each step's result, so tests can hold every one against AWS's examples.
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the Authorization header's value
};

Signature signV4(const SigningInput& input, const AwsCredentials& credentials);

// The x-amz-date value for a time: "YYYYMMDD'T'HHMMSS'Z'", UTC.
std::string amzDate(std::chrono::system_clock::time_point time);

}  // namespace ccm::sinks::eventbridge
