#pragma once

#include <string>

namespace ccm::core {

// A state change inside the engine, before it becomes a CloudEvent. `type` is
// a catalog type (event_catalog.hpp); `data` is the payload as a JSON object.
// The converter (cloud_event_converter.hpp) adds id, source, time and schema.
struct DomainEvent {
  std::string type;
  std::string subject;  // the aggregate's id
  std::string data;     // JSON object text
  std::string time;     // RFC 3339 UTC, when it happened
};

}  // namespace ccm::core
