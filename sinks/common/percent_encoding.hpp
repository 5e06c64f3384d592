#pragma once

#include <string>
#include <string_view>

namespace ccm::sinks::common {

// How a space is written: %20 (RFC 3986) or '+' (application/x-www-form-urlencoded).
enum class Space { Percent, Plus };

// RFC 3986 section 2.3: the unreserved characters (ALPHA, DIGIT, '-', '.',
// '_', '~') stay, every other byte becomes %XX with upper-case hex (section
// 2.1). This is both AWS SigV4's UriEncode() and, with Space::Plus, the form
// encoding Azure's SAS samples (quote_plus) and OAuth 2.0 token requests use.
std::string percentEncode(std::string_view value, Space space = Space::Percent);

}  // namespace ccm::sinks::common
