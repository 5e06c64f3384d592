#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ccm::core::cesql {

// Why an expression is not CESQL v1, and where: `position` is 1-based and
// counts characters of the expression.
struct ParseError {
  std::size_t position;
  std::string message;

  // "<message> at position <position>"
  std::string describe() const { return message + " at position " + std::to_string(position); }
};

// 1-based character position of a byte offset in an expression.
std::size_t positionOf(std::string_view expression, std::size_t offset);

}  // namespace ccm::core::cesql
