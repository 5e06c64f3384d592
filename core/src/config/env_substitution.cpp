#include "config/env_substitution.hpp"

#include <cstdlib>

#include "config/json_locations.hpp"

namespace ccm::core {
namespace {

bool isVariableNameChar(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

}  // namespace

EnvLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

sdk::Result<std::string> substituteVariables(std::string_view text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      out += '$';
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return sdk::Error{"", "unterminated variable reference \"" + std::string(text.substr(i)) + "\" (missing \"}\")"};
    }
    const std::string_view body = text.substr(i + 2, close - i - 2);
    const std::size_t separator = body.find(":-");
    const std::string name(body.substr(0, separator));
    bool valid_name = !name.empty();
    for (std::size_t k = 0; k < name.size() && valid_name; ++k) valid_name = isVariableNameChar(name[k], k == 0);
    if (!valid_name) {
      return sdk::Error{"", "invalid variable name in \"${" + std::string(body) +
                                "}\" (expected letters, digits and underscores, not starting with a digit)"};
    }
    if (auto value = env(name); value && !(separator != std::string_view::npos && value->empty())) {
      out += *value;  // ${VAR:-default} also uses the default when VAR is empty, as the shell does
    } else if (separator != std::string_view::npos) {
      out += body.substr(separator + 2);
    } else {
      return sdk::Error{"", "environment variable " + name + " is not set (write ${" + name +
                                ":-default} to give a default)"};
    }
    i = close;
  }
  return out;
}

std::optional<sdk::Error> substituteVariablesInTree(rapidjson::Value& value, rapidjson::Document::AllocatorType& alloc,
                                                    const EnvLookup& env, const std::string& pointer) {
  if (value.IsString()) {
    auto expanded = substituteVariables({value.GetString(), value.GetStringLength()}, env);
    if (!expanded) {
      const std::string where = pointer.empty() ? "/" : pointer;
      return sdk::Error{where, where + ": " + expanded.error().message};
    }
    value.SetString(expanded.value().c_str(), static_cast<rapidjson::SizeType>(expanded.value().size()), alloc);
  } else if (value.IsObject()) {
    for (auto& member : value.GetObject()) {
      if (auto error = substituteVariablesInTree(member.value, alloc, env, pointer + "/" + pointerToken(member.name.GetString()))) {
        return error;
      }
    }
  } else if (value.IsArray()) {
    rapidjson::SizeType index = 0;
    for (auto& item : value.GetArray()) {
      if (auto error = substituteVariablesInTree(item, alloc, env, pointer + "/" + std::to_string(index++))) {
        return error;
      }
    }
  }
  return std::nullopt;
}

}  // namespace ccm::core
