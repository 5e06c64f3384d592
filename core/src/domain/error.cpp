#include "domain/error.hpp"

namespace ccm::core {

std::string_view toString(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::Invalid:
      return "invalid";
    case ErrorCategory::Unauthenticated:
      return "unauthenticated";
    case ErrorCategory::Forbidden:
      return "forbidden";
    case ErrorCategory::NotFound:
      return "not_found";
    case ErrorCategory::Conflict:
      return "conflict";
    case ErrorCategory::Gone:
      return "gone";
    case ErrorCategory::TooLarge:
      return "too_large";
    case ErrorCategory::UnsupportedMediaType:
      return "unsupported_media_type";
    case ErrorCategory::Unprocessable:
      return "unprocessable";
    case ErrorCategory::Unavailable:
      return "unavailable";
    case ErrorCategory::Internal:
      return "internal";
  }
  return "internal";
}

}  // namespace ccm::core
