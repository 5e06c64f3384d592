#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace ccm::core {

// Line numbers (1-based) of every value in a JSON text, by JSON pointer, so
// errors found on the parsed tree can name the line an operator must edit.
std::map<std::string, int> jsonValueLines(std::string_view text);

// 1-based line and column of a byte offset.
std::pair<int, int> lineAndColumn(std::string_view text, std::size_t offset);

// Escapes one JSON pointer reference token (RFC 6901: "~" -> "~0", "/" -> "~1").
std::string pointerToken(std::string_view name);

}  // namespace ccm::core
