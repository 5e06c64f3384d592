#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/result.hpp"
#include "cesql/ast.hpp"
#include "cesql/parse_error.hpp"
#include "cesql/value.hpp"

namespace ccm::core::cesql {

// A parsed CloudEvents SQL expression (CESQL v1). Immutable once parsed, so
// one instance may be evaluated from several threads at once.
class Expression {
public:
  // Within kMaxExpressionBytes and kMaxExpressionHeight (parser.hpp).
  static sdk::Result<Expression, ParseError> parse(std::string_view text);

  // The value and the first error, in fail-fast mode (evaluator.hpp).
  Evaluation evaluate(const sdk::CloudEvent& event) const;

  const std::string& text() const { return text_; }
  const Node& root() const { return *root_; }

private:
  Expression(std::string text, std::shared_ptr<const Node> root) : text_(std::move(text)), root_(std::move(root)) {}

  std::string text_;
  std::shared_ptr<const Node> root_;
};

}  // namespace ccm::core::cesql
