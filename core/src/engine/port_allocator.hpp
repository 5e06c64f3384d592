#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "ccm/sdk/result.hpp"
#include "ccm/sdk/smart_annotations.hpp"
#include "domain/aggregates.hpp"

// ADR-004: a scheduled session gets one worker port per smart annotation,
// unique on that worker and inside its port range; the ports are released
// when the session stops (session_transitions.cpp clears them).
namespace ccm::core {

// Gives each annotation, in order, the lowest port of
// [worker.port_range_start, worker.port_range_end] that is neither in
// `ports_in_use` (the ports of the worker's other sessions) nor already given;
// the same inputs always give the same allocation. Port 0 is never given.
// Errors (where = "allocated_ports"): not enough free ports ("worker w1 has N
// free ports in 5000-5999, the lab needs M"), an empty range, an annotation
// key that appears twice.
sdk::Result<PortAllocation> allocatePorts(const std::vector<sdk::SmartAnnotation>& annotations, const Worker& worker,
                                          const std::set<std::uint16_t>& ports_in_use);

}  // namespace ccm::core
