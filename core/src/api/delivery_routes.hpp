#pragma once

#include <functional>
#include <string>

#include "api/router.hpp"
#include "delivery/delivery_service.hpp"
#include "domain/error.hpp"
#include "engine/lifecycle.hpp"
#include "store/store.hpp"

namespace ccm::core {

// GET /api/v1/sinks, pausing and resuming a sink, the dead-letter routes, and
// POST /api/v1/admin/reload (which calls `reload`: a JSON summary of the
// change, or an Error).
void addDeliveryRoutes(Router& router, DeliveryService& delivery, Store& store, Lifecycle& lifecycle,
                       std::function<Expected<std::string>()> reload);

}  // namespace ccm::core
