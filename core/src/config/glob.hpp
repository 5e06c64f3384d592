#pragma once

#include <string_view>

namespace ccm::core {

// The glob syntax of the config (sink filters, source claims): '*' matches
// any run of characters, every other character itself.
bool globMatches(std::string_view glob, std::string_view text);

}  // namespace ccm::core
