#include "cesql/expression.hpp"

#include "cesql/evaluator.hpp"
#include "cesql/parser.hpp"

namespace ccm::core::cesql {

sdk::Result<Expression, ParseError> Expression::parse(std::string_view text) {
  auto parsed = parseExpression(text);
  if (auto* error = std::get_if<ParseError>(&parsed)) return std::move(*error);
  return Expression(std::string(text), std::move(std::get<std::unique_ptr<Node>>(parsed)));
}

Evaluation Expression::evaluate(const sdk::CloudEvent& event) const {
  return cesql::evaluate(*root_, event);
}

}  // namespace ccm::core::cesql
