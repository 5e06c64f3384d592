#pragma once

#include <optional>
#include <string>
#include <string_view>

// The few primitives request signing needs (Event Grid SAS tokens, AWS
// Signature Version 4), over OpenSSL. Pure and thread-safe.
namespace ccm::sinks::common {

// RFC 2104 HMAC with SHA-256: the 32 raw bytes.
std::string hmacSha256(std::string_view key, std::string_view data);
// SHA-256 of `data` as 64 lower-case hex digits.
std::string sha256Hex(std::string_view data);
// Lower-case hex of raw bytes.
std::string hex(std::string_view raw);
// RFC 4648 section 4 (standard alphabet, padded).
std::string base64Encode(std::string_view raw);
// nullopt unless `text` is padded standard base64 without whitespace.
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace ccm::sinks::common
