#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ccm::core {

// Why an engine command was refused, in HTTP terms: the API turns it into an
// RFC 9457 problem with this status; `field` names the offending input.
struct Problem {
  int status = 400;
  std::string detail;
  std::string field;

  static Problem badRequest(std::string detail, std::string field = {}) {
    return {400, std::move(detail), std::move(field)};
  }
  static Problem notFound(std::string detail) { return {404, std::move(detail), {}}; }
  static Problem conflict(std::string detail, std::string field = "state") {
    return {409, std::move(detail), std::move(field)};
  }
  static Problem unprocessable(std::string detail, std::string field = {}) {
    return {422, std::move(detail), std::move(field)};
  }
};

// The result of an engine command: the changed aggregate, or a Problem.
template <class T>
class Expected {
public:
  Expected(T value) : state_(std::move(value)) {}
  Expected(Problem problem) : state_(std::move(problem)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  const Problem& problem() const { return std::get<Problem>(state_); }

private:
  std::variant<T, Problem> state_;
};

}  // namespace ccm::core
