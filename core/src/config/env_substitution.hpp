#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "ccm/sdk/result.hpp"

namespace ccm::core {

// Looks a variable up; std::nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup processEnvironment();

// Expands ${VAR} and ${VAR:-default} in one string; "$$" is a literal "$".
// An unset variable without default, or an unterminated reference, is an error.
sdk::Result<std::string> substituteVariables(std::string_view text, const EnvLookup& env);

// Expands every string value (not object keys) inside `value`, in place.
// Errors name the JSON pointer of the string.
std::optional<sdk::Error> substituteVariablesInTree(rapidjson::Value& value, rapidjson::Document::AllocatorType& alloc,
                                                    const EnvLookup& env, const std::string& pointer = "");

}  // namespace ccm::core
