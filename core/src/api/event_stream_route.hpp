#pragma once

#include "api/event_streams.hpp"
#include "api/router.hpp"
#include "store/store.hpp"

namespace ccm::core {

// GET /api/v1/events/stream: the event log as Server-Sent Events, live
// (docs/api.md#event-stream). `streams` must outlive the router's server.
void addEventStreamRoute(Router& router, Store& store, EventStreams& streams);

}  // namespace ccm::core
