#include "cesql/value.hpp"

#include <charconv>

namespace ccm::core::cesql {
namespace {

bool equalsAsciiIgnoringCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    if (c != lower[i]) return false;
  }
  return true;
}

// 3.7 String -> Integer: base 10, an optional leading sign, nothing else.
std::optional<std::int32_t> parseInteger(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return std::nullopt;
  std::int32_t parsed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return parsed;
}

EvaluationError castError(Type from, Type to, const Value& value) {
  // An attribute can be long; the start of it is enough to recognise it.
  constexpr std::size_t kShown = 64;
  std::string shown;
  if (const auto* text = std::get_if<std::string>(&value)) {
    shown = "\"" + text->substr(0, kShown) + (text->size() > kShown ? "...\"" : "\"");
  }
  return {ErrorKind::Cast,
          std::string("cannot cast ") + typeName(from) + (shown.empty() ? "" : " " + shown) + " to " + typeName(to)};
}

}  // namespace

Type typeOf(const Value& value) {
  if (std::holds_alternative<bool>(value)) return Type::Boolean;
  if (std::holds_alternative<std::int32_t>(value)) return Type::Integer;
  return Type::String;
}

const char* typeName(Type type) {
  switch (type) {
    case Type::Boolean:
      return "Boolean";
    case Type::Integer:
      return "Integer";
    case Type::String:
      return "String";
    case Type::Any:
      return "Any";
  }
  return "Any";
}

const char* errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Math:
      return "math";
    case ErrorKind::Cast:
      return "cast";
    case ErrorKind::MissingAttribute:
      return "missingAttribute";
    case ErrorKind::MissingFunction:
      return "missingFunction";
    case ErrorKind::FunctionEvaluation:
      return "functionEvaluation";
    case ErrorKind::Generic:
      return "generic";
  }
  return "generic";
}

Value zeroValue(Type type) {
  switch (type) {
    case Type::Integer:
      return std::int32_t{0};
    case Type::String:
      return std::string();
    case Type::Boolean:
    case Type::Any:
      return false;
  }
  return false;
}

std::optional<EvaluationError> castTo(Value& value, Type target) {
  const Type from = typeOf(value);
  if (target == Type::Any || target == from) return std::nullopt;
  switch (target) {
    case Type::String:
      value = from == Type::Boolean ? std::string(std::get<bool>(value) ? "true" : "false")
                                    : std::to_string(std::get<std::int32_t>(value));
      return std::nullopt;
    case Type::Integer:
      if (from == Type::Boolean) {
        value = std::int32_t{std::get<bool>(value) ? 1 : 0};
        return std::nullopt;
      }
      if (auto parsed = parseInteger(std::get<std::string>(value))) {
        value = *parsed;
        return std::nullopt;
      }
      break;
    case Type::Boolean:
      if (from == Type::Integer) {
        value = std::get<std::int32_t>(value) != 0;
        return std::nullopt;
      }
      if (equalsAsciiIgnoringCase(std::get<std::string>(value), "true")) {
        value = true;
        return std::nullopt;
      }
      if (equalsAsciiIgnoringCase(std::get<std::string>(value), "false")) {
        value = false;
        return std::nullopt;
      }
      break;
    case Type::Any:
      break;
  }
  auto error = castError(from, target, value);
  value = zeroValue(target);
  return error;
}

}  // namespace ccm::core::cesql
