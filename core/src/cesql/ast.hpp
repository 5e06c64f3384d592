#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "cesql/like_pattern.hpp"
#include "cesql/value.hpp"

namespace ccm::core::cesql {

struct Function;

enum class NodeKind { Literal, Attribute, Exists, Not, Negate, Arithmetic, Comparison, Logic, Like, In, Call };
enum class Operator {
  Add,
  Subtract,
  Multiply,
  Divide,
  Modulo,
  Equal,
  NotEqual,
  Less,
  LessOrEqual,
  Greater,
  GreaterOrEqual,
  And,
  Or,
  Xor,
};

// One node of a parsed expression. Which members mean something depends on
// `kind`; `operands` are the subexpressions in the order they are written.
struct Node {
  NodeKind kind;
  std::size_t position;    // 1-based character position where it starts
  Type type;               // its static result type (Any: an attribute, known per event)
  std::size_t height = 1;  // nodes on the longest path down from here, itself included

  Value literal;                             // Literal
  std::string name;                          // Attribute, Exists: lower case; Call: upper case
  Operator op = Operator::Add;               // Arithmetic, Comparison
  std::vector<Operator> logic;               // Logic: logic[i] stands between operands[i] and operands[i + 1]
  std::vector<std::size_t> logic_positions;  // Logic: where each of `logic` is written
  bool negated = false;                      // Like, In: NOT LIKE, NOT IN
  LikePattern pattern;                       // Like
  const Function* function = nullptr;        // Call: nullptr when no built-in has that name and arity
  std::vector<std::unique_ptr<Node>> operands;
};

}  // namespace ccm::core::cesql
