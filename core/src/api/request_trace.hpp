#pragma once

#include "engine/unit_of_work.hpp"
#include "http/http_message.hpp"

namespace ccm::core {

// The trace context of a REST call: its `traceparent` and `tracestate`
// headers (W3C Trace Context), which the events its command causes carry. An
// invalid traceparent is ignored, never refused (W3C 3.2: a receiver that
// cannot read it starts without one), and logged at debug, as is a dropped
// tracestate.
EventTrace requestTrace(const HttpRequest& request);

}  // namespace ccm::core
