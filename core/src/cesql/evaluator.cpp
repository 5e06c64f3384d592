#include "cesql/evaluator.hpp"

#include <limits>
#include <optional>

#include "cesql/functions.hpp"

namespace ccm::core::cesql {
namespace {

// 3.2: every context attribute and extension by its name; the required ones
// always exist, since the event is valid. Data is not addressable.
std::optional<Value> attribute(const sdk::CloudEvent& event, const std::string& name) {
  if (name == "specversion") return event.specversion;
  if (name == "id") return event.id;
  if (name == "source") return event.source;
  if (name == "type") return event.type;
  const auto optional = [](const std::optional<std::string>& value) -> std::optional<Value> {
    if (!value) return std::nullopt;
    return *value;
  };
  if (name == "datacontenttype") return optional(event.datacontenttype);
  if (name == "dataschema") return optional(event.dataschema);
  if (name == "subject") return optional(event.subject);
  if (name == "time") return optional(event.time);
  if (auto it = event.extensions.find(name); it != event.extensions.end()) {
    return std::visit([](const auto& value) { return Value(value); }, it->second);
  }
  return std::nullopt;
}

Evaluation failed(Type type, EvaluationError error) {
  return {zeroValue(type), std::move(error)};
}

EvaluationError mathError(std::string message) {
  return {ErrorKind::Math, std::move(message)};
}

// 3.4.2 on Integers; a result outside 32 bits is a MathError, as ABS's is (3.5.2).
Evaluation arithmetic(Operator op, std::int32_t x, std::int32_t y) {
  std::int64_t result = 0;
  switch (op) {
    case Operator::Add:
      result = std::int64_t{x} + y;
      break;
    case Operator::Subtract:
      result = std::int64_t{x} - y;
      break;
    case Operator::Multiply:
      result = std::int64_t{x} * y;
      break;
    case Operator::Divide:
    case Operator::Modulo:
      if (y == 0) return failed(Type::Integer, mathError("division by zero"));
      // C++ division truncates towards 0 and % takes the sign of x, as 3.4.2 asks;
      // the widening keeps -2147483648 % -1 defined.
      result = op == Operator::Divide ? std::int64_t{x} / y : std::int64_t{x} % y;
      break;
    default:
      break;
  }
  if (result < std::numeric_limits<std::int32_t>::min() || result > std::numeric_limits<std::int32_t>::max()) {
    return failed(Type::Integer, mathError("integer overflow: " + std::to_string(result) + " needs more than 32 bits"));
  }
  return {static_cast<std::int32_t>(result)};
}

bool compare(Operator op, const Value& x, const Value& y) {
  switch (op) {
    case Operator::Equal:
      return x == y;
    case Operator::NotEqual:
      return x != y;
    case Operator::Less:
      return std::get<std::int32_t>(x) < std::get<std::int32_t>(y);
    case Operator::LessOrEqual:
      return std::get<std::int32_t>(x) <= std::get<std::int32_t>(y);
    case Operator::Greater:
      return std::get<std::int32_t>(x) > std::get<std::int32_t>(y);
    case Operator::GreaterOrEqual:
      return std::get<std::int32_t>(x) >= std::get<std::int32_t>(y);
    default:
      return false;
  }
}

class Evaluator {
public:
  explicit Evaluator(const sdk::CloudEvent& event) : event_(event) {}

  Evaluation operator()(const Node& node) {
    switch (node.kind) {
      case NodeKind::Literal:
        return {node.literal};
      case NodeKind::Attribute: {
        if (auto value = attribute(event_, node.name)) return {std::move(*value)};
        return failed(Type::Any, {ErrorKind::MissingAttribute, "no attribute \"" + node.name + "\" in the event"});
      }
      case NodeKind::Exists:
        return {attribute(event_, node.name).has_value()};
      case NodeKind::Not: {
        auto operand = typed(*node.operands[0], Type::Boolean, Type::Boolean);
        if (operand.error) return operand;
        return {!std::get<bool>(operand.value)};
      }
      case NodeKind::Negate: {
        auto operand = typed(*node.operands[0], Type::Integer, Type::Integer);
        if (operand.error) return operand;
        return arithmetic(Operator::Subtract, 0, std::get<std::int32_t>(operand.value));
      }
      case NodeKind::Arithmetic:
        return arithmeticNode(node);
      case NodeKind::Comparison:
        return comparison(node);
      case NodeKind::Logic:
        return logic(node);
      case NodeKind::Like: {
        auto operand = typed(*node.operands[0], Type::String, Type::Boolean);
        if (operand.error) return operand;
        return {node.pattern.matches(std::get<std::string>(operand.value)) != node.negated};
      }
      case NodeKind::In:
        return in(node);
      case NodeKind::Call:
        return call(node);
    }
    return failed(Type::Boolean, {ErrorKind::Generic, "unknown expression node"});
  }

private:
  // Evaluates `node` and casts its value to `target`; on an error, the zero
  // value of `result`, the type of the operator that asked.
  Evaluation typed(const Node& node, Type target, Type result) {
    auto evaluation = (*this)(node);
    if (!evaluation.error) evaluation.error = castTo(evaluation.value, target);
    if (evaluation.error) evaluation.value = zeroValue(result);
    return evaluation;
  }

  Evaluation arithmeticNode(const Node& node) {
    auto x = typed(*node.operands[0], Type::Any, Type::Integer);
    if (x.error) return x;
    auto y = typed(*node.operands[1], Type::Any, Type::Integer);
    if (y.error) return y;
    // Both operands are evaluated before either is cast, so "missing / 0"
    // reports the missing attribute (binary_math_operators.yaml).
    if (auto error = castTo(x.value, Type::Integer)) return failed(Type::Integer, std::move(*error));
    if (auto error = castTo(y.value, Type::Integer)) return failed(Type::Integer, std::move(*error));
    return arithmetic(node.op, std::get<std::int32_t>(x.value), std::get<std::int32_t>(y.value));
  }

  // 3.7: '=', '!=' and '<>' are defined for each type alike, so the left
  // operand is cast to the right one's type; the ordering operators take
  // Integers only.
  Evaluation comparison(const Node& node) {
    auto x = typed(*node.operands[0], Type::Any, Type::Boolean);
    if (x.error) return x;
    auto y = typed(*node.operands[1], Type::Any, Type::Boolean);
    if (y.error) return y;
    const bool equality = node.op == Operator::Equal || node.op == Operator::NotEqual;
    const Type target = equality ? typeOf(y.value) : Type::Integer;
    if (auto error = castTo(x.value, target)) return failed(Type::Boolean, std::move(*error));
    if (auto error = castTo(y.value, target)) return failed(Type::Boolean, std::move(*error));
    return {compare(node.op, x.value, y.value)};
  }

  // operands[0] logic[0] (operands[1] logic[1] (...)): the grammar groups
  // to the right. AND and OR short-circuit (3.4.2): once an operand decides
  // its operator, nothing to its right is evaluated, and the operators to
  // its left are applied to that result on the way back.
  Evaluation logic(const Node& node) {
    std::vector<std::pair<bool, Operator>> pending;
    bool result = false;
    for (std::size_t i = 0; i < node.operands.size(); ++i) {
      auto operand = typed(*node.operands[i], Type::Boolean, Type::Boolean);
      if (operand.error) return operand;
      const bool value = std::get<bool>(operand.value);
      if (i == node.logic.size()) {
        result = value;
        break;
      }
      const Operator op = node.logic[i];
      if ((op == Operator::And && !value) || (op == Operator::Or && value)) {
        result = value;
        break;
      }
      pending.emplace_back(value, op);
    }
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
      // An AND or OR left pending did not decide; only XOR changes the result.
      if (it->second == Operator::Xor) result = it->first != result;
    }
    return {result};
  }

  // 3.4.5 and 3.7: each member is cast to the type of the left operand, and
  // compared as '=' would; the first member equal to it ends the search.
  Evaluation in(const Node& node) {
    auto x = typed(*node.operands[0], Type::Any, Type::Boolean);
    if (x.error) return x;
    const Type target = typeOf(x.value);
    for (std::size_t i = 1; i < node.operands.size(); ++i) {
      auto member = typed(*node.operands[i], target, Type::Boolean);
      if (member.error) return member;
      if (member.value == x.value) return {!node.negated};
    }
    return {node.negated};
  }

  Evaluation call(const Node& node) {
    if (node.function == nullptr) {
      return failed(Type::Boolean,
                    {ErrorKind::MissingFunction,
                     "no function " + node.name + " taking " + std::to_string(node.operands.size()) + " arguments"});
    }
    const auto& function = *node.function;
    std::vector<Value> arguments;
    arguments.reserve(node.operands.size());
    for (std::size_t i = 0; i < node.operands.size(); ++i) {
      auto argument = typed(*node.operands[i], function.parameterType(i), function.result);
      if (argument.error) return argument;
      arguments.push_back(std::move(argument.value));
    }
    return function.call(arguments);
  }

  const sdk::CloudEvent& event_;
};

}  // namespace

Evaluation evaluate(const Node& node, const sdk::CloudEvent& event) {
  return Evaluator(event)(node);
}

}  // namespace ccm::core::cesql
