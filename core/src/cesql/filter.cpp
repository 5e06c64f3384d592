#include "cesql/filter.hpp"

#include <optional>

#include "cesql/functions.hpp"

namespace ccm::core::cesql {
namespace {

std::string_view operatorName(Operator op) {
  switch (op) {
    case Operator::And:
      return "AND";
    case Operator::Or:
      return "OR";
    default:
      return "XOR";
  }
}

// The first mistake in the tree, in the order the expression is written.
// Recursion is bounded by the tree's height (kMaxExpressionHeight).
std::optional<ParseError> firstMistake(const Node& node) {
  if (node.kind == NodeKind::Call && node.function == nullptr) {
    const auto arguments =
        std::to_string(node.operands.size()) + (node.operands.size() == 1 ? " argument" : " arguments");
    return ParseError{node.position, isFunctionName(node.name)
                                         ? "function " + node.name + " does not take " + arguments
                                         : "no function " + node.name + " (CESQL v1 has no such built-in)"};
  }
  if (node.kind == NodeKind::Logic) {
    for (std::size_t i = 1; i < node.logic.size(); ++i) {
      if (node.logic[i] != node.logic[0]) {
        const auto first = operatorName(node.logic[0]);
        const auto second = operatorName(node.logic[i]);
        return ParseError{node.logic_positions[i], std::string(first) + " and " + std::string(second) +
                                                       " without parentheses (CESQL reads \"a " + std::string(first) +
                                                       " b " + std::string(second) + " c\" as \"a " +
                                                       std::string(first) + " (b " + std::string(second) +
                                                       " c)\"); add parentheses to say which is meant"};
      }
    }
  }
  for (const auto& operand : node.operands) {
    if (auto mistake = firstMistake(*operand)) return mistake;
  }
  return std::nullopt;
}

}  // namespace

sdk::Result<Filter, ParseError> Filter::compile(std::string_view text) {
  auto parsed = Expression::parse(text);
  if (!parsed) return parsed.error();
  const auto& root = parsed.value().root();
  if (root.type == Type::Integer || root.type == Type::String) {
    return ParseError{root.position, std::string("the expression gives ") +
                                         (root.type == Type::Integer ? "an " : "a ") + typeName(root.type) +
                                         "; a filter needs a Boolean"};
  }
  if (auto mistake = firstMistake(root)) return *mistake;
  return Filter(std::move(parsed.value()));
}

bool Filter::matches(const sdk::CloudEvent& event) const {
  const auto result = expression_.evaluate(event);
  const auto* passed = std::get_if<bool>(&result.value);
  return !result.error && passed != nullptr && *passed;
}

}  // namespace ccm::core::cesql
