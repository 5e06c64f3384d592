#include "sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "ccm/sdk/time.hpp"
#include "common/crypto.hpp"

namespace ccm::sinks::eventbridge {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string lower(std::string_view text) {
  std::string result(text);
  std::ranges::transform(result, result.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

// Canonical header values: leading and trailing spaces removed, runs of
// spaces inside folded to one.
std::string canonicalValue(std::string_view value) {
  std::string result;
  for (const char c : value) {
    if (c == ' ' || c == '\t') {
      if (!result.empty() && result.back() != ' ') result += ' ';
    } else {
      result += c;
    }
  }
  if (!result.empty() && result.back() == ' ') result.pop_back();
  return result;
}

}  // namespace

Signature signV4(const SigningInput& input, const AwsCredentials& credentials) {
  // Names lower-cased and sorted; a repeated name's values joined by commas.
  std::map<std::string, std::string> canonical_headers;
  for (const auto& [name, value] : input.headers) {
    auto [it, inserted] = canonical_headers.try_emplace(lower(name), canonicalValue(value));
    if (!inserted) it->second += "," + canonicalValue(value);
  }
  std::string header_block;
  std::string signed_headers;
  for (const auto& [name, value] : canonical_headers) {
    header_block += name + ":" + value + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }

  Signature result;
  result.canonical_request = std::string(input.method) + "\n" + std::string(input.path) + "\n" + "\n" + header_block +
                             "\n" + signed_headers + "\n" + common::sha256Hex(input.body);
  const std::string date(input.amz_date.substr(0, 8));
  const std::string scope = date + "/" + std::string(input.region) + "/" + std::string(input.service) + "/aws4_request";
  result.string_to_sign = std::string(kAlgorithm) + "\n" + std::string(input.amz_date) + "\n" + scope + "\n" +
                          common::sha256Hex(result.canonical_request);

  // The signing key is derived from the secret through date, region and service.
  const std::string date_key = common::hmacSha256("AWS4" + credentials.secret_access_key, date);
  const std::string region_key = common::hmacSha256(date_key, input.region);
  const std::string service_key = common::hmacSha256(region_key, input.service);
  const std::string signing_key = common::hmacSha256(service_key, "aws4_request");
  result.signature = common::hex(common::hmacSha256(signing_key, result.string_to_sign));
  result.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" + scope +
                         ", SignedHeaders=" + signed_headers + ", Signature=" + result.signature;
  return result;
}

std::string amzDate(std::chrono::system_clock::time_point time) {
  const sdk::UtcTime utc = sdk::toUtcTime(time);
  char text[24];
  std::snprintf(text, sizeof text, "%04d%02u%02uT%02d%02d%02dZ", utc.year, utc.month, utc.day, utc.hour, utc.minute,
                utc.second);
  return text;
}

}  // namespace ccm::sinks::eventbridge
