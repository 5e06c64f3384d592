#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace ccm::core::cesql {

// CESQL v1 3.1: the three primitive types. Any is the static type of an
// attribute reference, whose type is only known once an event is at hand.
enum class Type { Boolean, Integer, String, Any };

using Value = std::variant<bool, std::int32_t, std::string>;

// CESQL v1 3.3: the error types every engine must tell apart. Parse errors
// never reach evaluation (ParseError, parser.hpp, carries those).
enum class ErrorKind { Math, Cast, MissingAttribute, MissingFunction, FunctionEvaluation, Generic };

struct EvaluationError {
  ErrorKind kind;
  std::string message;
};

// What evaluating an expression gives (CESQL v1 1 and 3.3): a value, always of
// a CESQL type, and the error that stopped the evaluation, if one did.
struct Evaluation {
  Value value;
  std::optional<EvaluationError> error = std::nullopt;
};

Type typeOf(const Value& value);
const char* typeName(Type type);
// The TCK's name of an error kind ("math", "cast", "missingAttribute", ...).
const char* errorKindName(ErrorKind kind);

// CESQL v1 3.1: false, 0 and "". Any (a type not known statically) gives
// false, as 3.2 asks of a subexpression whose type the engine cannot tell.
Value zeroValue(Type type);

// CESQL v1 3.7: converts `value` to `target` in place. A conversion that fails
// leaves the zero value of `target` and returns a CastError; Any converts nothing.
std::optional<EvaluationError> castTo(Value& value, Type target);

}  // namespace ccm::core::cesql
