#pragma once

#include "api/router.hpp"
#include "engine/lifecycle.hpp"
#include "store/store.hpp"

// REST routes of the lifecycle engine (docs/api.md). Handlers are thin: they
// read and validate JSON, call one Lifecycle command and render the result.
namespace ccm::core {

void addDefinitionRoutes(Router& router, Lifecycle& lifecycle, Store& store);
void addSessionRoutes(Router& router, Lifecycle& lifecycle, Store& store);
void addWorkerRoutes(Router& router, Lifecycle& lifecycle, Store& store);
// GET /api/v1/events (the event log) and GET /api/v1/schemas[/{type}].
void addEventLogRoutes(Router& router, Store& store);

}  // namespace ccm::core
