#pragma once

#include "api/router.hpp"
#include "store/store.hpp"

namespace ccm::core {

// GET /api/v1/events/{sequence}/deliveries: the attempt log of one event
// across sinks, newest first (docs/api.md#delivery-attempts).
void addDeliveryAttemptRoutes(Router& router, Store& store);

}  // namespace ccm::core
