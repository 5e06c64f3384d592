#include "cesql/parse_error.hpp"

#include "cesql/utf8.hpp"

namespace ccm::core::cesql {

std::size_t positionOf(std::string_view expression, std::size_t offset) {
  return utf8::characterCount(expression.substr(0, offset)) + 1;
}

}  // namespace ccm::core::cesql
