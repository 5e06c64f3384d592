#pragma once

#include <cstddef>
#include <string_view>

namespace ccm::sdk {

// Whether `a` and `b` are equal when ASCII letters are compared without case,
// as HTTP compares header names, tokens and scheme names (RFC 9110 5.1);
// other bytes must match exactly.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

// The longest start of `text` of at most `max_bytes` bytes that does not end
// inside a UTF-8 sequence, for excerpts of bodies and messages.
std::string_view utf8Prefix(std::string_view text, std::size_t max_bytes);

}  // namespace ccm::sdk
