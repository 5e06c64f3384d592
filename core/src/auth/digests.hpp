#pragma once

#include <string>
#include <string_view>

// The digests credentials are checked with (API keys, bearer tokens, HMAC
// signatures of inbound events).
namespace ccm::core {

// SHA-256 of `text`: 32 raw bytes.
std::string sha256(std::string_view text);

// Hex (lower-case) HMAC-SHA256 of `message` under `key`.
std::string hmacSha256Hex(std::string_view key, std::string_view message);

// Equal-length inputs are compared in time independent of their content.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace ccm::core
