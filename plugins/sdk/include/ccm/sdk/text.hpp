#pragma once

#include <string_view>

namespace ccm::sdk {

// Whether `a` and `b` are equal when ASCII letters are compared without case,
// as HTTP compares header names, tokens and scheme names (RFC 9110 5.1);
// other bytes must match exactly.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace ccm::sdk
