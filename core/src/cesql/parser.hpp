#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <variant>

#include "cesql/ast.hpp"
#include "cesql/parse_error.hpp"

namespace ccm::core::cesql {

// Bounds on what an expression may be, so that parsing it, and evaluating it
// once per event, takes bounded time and stack: expressions come from an
// operator's config file, but a mistyped or generated one must not be able to
// exhaust the gateway. Real filters are a few hundred characters and a few
// levels deep.
inline constexpr std::size_t kMaxExpressionBytes = 4096;
inline constexpr std::size_t kMaxExpressionHeight = 64;

// Parses a CESQL v1 expression (CESQL v1 2 and CESQLParser.g4): precedence
// from tightest to loosest is function calls and unary NOT and '-', LIKE, IN,
// '*' '/' '%', '+' '-', comparisons, then AND OR XOR, which share one level
// and group to the right as the grammar's <assoc=right> says.
std::variant<std::unique_ptr<Node>, ParseError> parseExpression(std::string_view expression);

}  // namespace ccm::core::cesql
