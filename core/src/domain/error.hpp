#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "ccm/sdk/result.hpp"

namespace ccm::core {

// What kind of failure, said without a transport: the modules below the API
// (engine, auth, ingress decoding) refuse with a category; only the API layer
// turns it into an HTTP status (api/error_status.cpp). Infrastructure failures
// of the store travel as StoreError exceptions instead (nothing was applied).
enum class ErrorCategory {
  Invalid,               // the input is malformed or breaks a rule of its own
  Unauthenticated,       // no or bad credentials
  Forbidden,             // credentials fine, not allowed
  NotFound,              // the thing named does not exist
  Conflict,              // the thing is not in a state that allows it
  Gone,                  // it existed, and is no longer kept
  TooLarge,              // over a size limit
  UnsupportedMediaType,  // a representation the receiver does not read
  Unprocessable,         // well-formed, but its content is refused
  Unavailable,           // not now: retry later
  Internal,              // our fault
};

std::string_view toString(ErrorCategory category);

// Why a command or request was refused; `field` names the offending input
// (a JSON member, a query parameter or "state").
struct Error {
  ErrorCategory category = ErrorCategory::Invalid;
  std::string detail;
  std::string field;

  static Error invalid(std::string detail, std::string field = {}) {
    return {ErrorCategory::Invalid, std::move(detail), std::move(field)};
  }
  static Error notFound(std::string detail) { return {ErrorCategory::NotFound, std::move(detail), {}}; }
  static Error conflict(std::string detail, std::string field = "state") {
    return {ErrorCategory::Conflict, std::move(detail), std::move(field)};
  }
  static Error unprocessable(std::string detail, std::string field = {}) {
    return {ErrorCategory::Unprocessable, std::move(detail), std::move(field)};
  }
  static Error unavailable(std::string detail) { return {ErrorCategory::Unavailable, std::move(detail), {}}; }
  static Error internal(std::string detail) { return {ErrorCategory::Internal, std::move(detail), {}}; }
};

// The result of a command: the value, or the Error.
template <class T>
using Expected = sdk::Result<T, Error>;

}  // namespace ccm::core
