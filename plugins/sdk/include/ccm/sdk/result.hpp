#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ccm::sdk {

// An error that names what was wrong: `where` is the attribute, JSON pointer,
// header or file at fault; `message` is the full human-readable sentence.
struct Error {
  std::string where;
  std::string message;
};

// Either a value or an Error. Expected failures are values, never exceptions.
// (The gateway core uses it with an error type of its own, core::Error.)
template <class T, class E = Error>
class Result {
public:
  Result(T value) : state_(std::move(value)) {}
  Result(E error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  const E& error() const { return std::get<E>(state_); }

private:
  std::variant<T, E> state_;
};

}  // namespace ccm::sdk
