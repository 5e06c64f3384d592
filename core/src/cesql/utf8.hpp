#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// CESQL v1 3.1 makes a String a sequence of Unicode characters: LENGTH, LEFT,
// RIGHT, SUBSTRING and LIKE's '_' count code points of the UTF-8 text, not
// bytes. Event attributes are not guaranteed to be valid UTF-8, so a byte that
// does not start a well-formed sequence counts as one character of its own.
namespace ccm::core::cesql::utf8 {

// Bytes of the character that starts at `at` (1 to 4; 0 at the end).
std::size_t characterLength(std::string_view text, std::size_t at);
std::size_t characterCount(std::string_view text);
// Byte offset of the character numbered `index` (0-based); text.size() past the end.
std::size_t offsetOfCharacter(std::string_view text, std::size_t index);

std::string toLower(std::string_view text);
std::string toUpper(std::string_view text);
// Without leading and trailing Unicode White_Space characters (TRIM, 3.5.1).
std::string_view trimWhiteSpace(std::string_view text);

}  // namespace ccm::core::cesql::utf8
