#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "cesql/value.hpp"

namespace ccm::core::cesql {

// A built-in function (CESQL v1 3.5): its signature and its body. The
// arguments reach `call` already cast to `parameters` (and to `variadic` past
// them); Any takes a value as it is.
struct Function {
  std::string_view name;
  std::vector<Type> parameters;
  bool variadic = false;  // the last parameter's type repeats, zero or more times
  Type result;
  Evaluation (*call)(std::vector<Value>& arguments);

  Type parameterType(std::size_t index) const;
};

// The built-in overload of `name` (upper case) that takes `arity` arguments,
// or nullptr: the call then gives false and a MissingFunctionError (3.5).
const Function* findFunction(std::string_view name, std::size_t arity);

// Whether any built-in has that name, whatever its arity.
bool isFunctionName(std::string_view name);

}  // namespace ccm::core::cesql
