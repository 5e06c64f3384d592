#include "engine/port_allocator.hpp"

#include <string>

namespace ccm::core {

sdk::Result<PortAllocation> allocatePorts(const std::vector<sdk::SmartAnnotation>& annotations, const Worker& worker,
                                          const std::set<std::uint16_t>& ports_in_use) {
  const std::string range = std::to_string(worker.port_range_start) + "-" + std::to_string(worker.port_range_end);
  if (worker.port_range_start > worker.port_range_end) {
    return sdk::Error{"allocated_ports", "worker " + worker.id + " has an empty port range " + range};
  }

  // Collected in ascending order so "lowest free first" is just the front of
  // the list; unsigned to step past 65535 without wrapping. Port 0 is not a
  // port a client can connect to.
  std::vector<std::uint16_t> free_ports;
  for (unsigned port = worker.port_range_start; port <= worker.port_range_end; ++port) {
    const auto candidate = static_cast<std::uint16_t>(port);
    if (port != 0 && !ports_in_use.contains(candidate)) free_ports.push_back(candidate);
  }
  if (free_ports.size() < annotations.size()) {
    return sdk::Error{"allocated_ports", "worker " + worker.id + " has " + std::to_string(free_ports.size()) +
                                             " free ports in " + range + ", the lab needs " +
                                             std::to_string(annotations.size())};
  }

  PortAllocation allocation;
  for (std::size_t i = 0; i < annotations.size(); ++i) {
    // Two annotations under one key would share a port and the pod generator
    // would lose one interface; parseSmartAnnotations never yields that.
    if (!allocation.emplace(annotations[i].key, free_ports[i]).second) {
      return sdk::Error{"allocated_ports", "smart annotation \"" + annotations[i].key + "\" appears twice"};
    }
  }
  return allocation;
}

}  // namespace ccm::core
