#pragma once

#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/codec.hpp"
#include "engine/unit_of_work.hpp"

namespace ccm::core {

// The trace context of each inbound event of a request, which the events
// its handling causes carry (docs/ingress.md#trace-context): the event's own
// Distributed Tracing extension (in binary mode the ce-traceparent header)
// when it is valid, else the request's `traceparent` header (the transport's,
// W3C Trace Context), else none. Invalid values are ignored and logged at
// debug; the events themselves are logged and forwarded unchanged.
std::vector<EventTrace> inboundTraces(const std::vector<sdk::CloudEvent>& events, const sdk::Headers& headers);

}  // namespace ccm::core
