#pragma once

#include "domain/error.hpp"

namespace ccm::core {

// The one place an error category becomes an HTTP status code.
int httpStatus(ErrorCategory category);

}  // namespace ccm::core
