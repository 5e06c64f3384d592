#pragma once

#include <string_view>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/result.hpp"
#include "cesql/expression.hpp"

namespace ccm::core::cesql {

// A CESQL expression used as an event filter (CESQL v1 1.2): an event passes
// only if the expression gives the Boolean true without any error.
//
// compile() is stricter than the language, refusing, with the position, what
// can only be a mistake in a filter: a result that is an Integer or a String
// (no event could ever pass), a call no built-in function answers (it is an
// error for every event), and AND, OR and XOR mixed without parentheses
// (CESQL groups "a AND b OR c" as "a AND (b OR c)", unlike SQL).
class Filter {
public:
  static sdk::Result<Filter, ParseError> compile(std::string_view text);

  bool matches(const sdk::CloudEvent& event) const;

  const Expression& expression() const { return expression_; }

private:
  explicit Filter(Expression expression) : expression_(std::move(expression)) {}

  Expression expression_;
};

}  // namespace ccm::core::cesql
