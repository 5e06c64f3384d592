#include "api/error_status.hpp"

namespace ccm::core {

int httpStatus(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::Invalid:
      return 400;
    case ErrorCategory::Unauthenticated:
      return 401;
    case ErrorCategory::Forbidden:
      return 403;
    case ErrorCategory::NotFound:
      return 404;
    case ErrorCategory::Conflict:
      return 409;
    case ErrorCategory::Gone:
      return 410;
    case ErrorCategory::TooLarge:
      return 413;
    case ErrorCategory::UnsupportedMediaType:
      return 415;
    case ErrorCategory::Unprocessable:
      return 422;
    case ErrorCategory::Unavailable:
      return 503;
    case ErrorCategory::Internal:
      return 500;
  }
  return 500;
}

}  // namespace ccm::core
