#include "sas_token.hpp"

#include <cstdio>

#include "ccm/sdk/time.hpp"
#include "common/crypto.hpp"
#include "common/percent_encoding.hpp"

namespace ccm::sinks::eventgrid {

std::string sasExpiry(std::chrono::system_clock::time_point expiry) {
  const sdk::UtcTime utc = sdk::toUtcTime(expiry);
  const int hour12 = utc.hour % 12 == 0 ? 12 : utc.hour % 12;
  char text[40];
  std::snprintf(text, sizeof text, "%u/%u/%d %d:%02d:%02d %s", utc.month, utc.day, utc.year, hour12, utc.minute,
                utc.second, utc.hour < 12 ? "AM" : "PM");
  return text;
}

std::string sasToken(std::string_view resource, std::chrono::system_clock::time_point expiry,
                     std::string_view key_bytes) {
  using common::percentEncode;
  using common::Space;
  const std::string unsigned_token =
      "r=" + percentEncode(resource, Space::Plus) + "&e=" + percentEncode(sasExpiry(expiry), Space::Plus);
  const std::string signature = common::base64Encode(common::hmacSha256(key_bytes, unsigned_token));
  return unsigned_token + "&s=" + percentEncode(signature, Space::Plus);
}

}  // namespace ccm::sinks::eventgrid
