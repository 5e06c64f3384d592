#pragma once

// The response-to-outcome mapping lives in sinks/common, shared with the
// other HTTP-based sinks; the http sink uses it unchanged.
#include "common/response_outcome.hpp"

namespace ccm::sinks::http {

using common::kMaxBodyInMessage;
using common::outcomeOf;
using common::parseRetryAfter;

}  // namespace ccm::sinks::http
