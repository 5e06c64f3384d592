#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>

#include "api/router.hpp"
#include "delivery/delivery_service.hpp"
#include "store/store.hpp"

namespace ccm::core {

// Redrives (docs/delivery.md#redrive): POST /api/v1/sinks/{name}/redrive,
// GET /api/v1/sinks/{name}/redrives[/{id}] and
// POST /api/v1/sinks/{name}/redrives/{id}/cancel.
void addRedriveRoutes(Router& router, DeliveryService& delivery, Store& store);

// "redrive": the sink's active redrive in GET /api/v1/sinks (nothing without one).
void writeActiveRedrive(rapidjson::Writer<rapidjson::StringBuffer>& w, const std::optional<SinkRedrive>& redrive);

}  // namespace ccm::core
