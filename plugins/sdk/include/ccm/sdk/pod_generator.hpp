#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ccm/sdk/result.hpp"

namespace ccm::sdk {

struct PodRequest {
  std::string session_id;
  std::string lab_yaml;  // the definition's CML lab topology
  // Allocated port per smart annotation, keyed "<node label>/<annotation>",
  // e.g. "router-1/serial:5041".
  std::map<std::string, std::uint16_t> allocated_ports;
  std::string worker_public_address;   // may be empty
  std::string worker_private_address;
  // The definition as JSON (its API representation); its "pod_settings"
  // object gives authentication and configuration per protocol and node.
  std::string definition_json;
};

// Builds the grading engine's Pod (JSON text) for a session. Must not throw.
class PodGenerator {
public:
  virtual ~PodGenerator() = default;
  virtual Result<std::string> generate(const PodRequest& request) = 0;
};

}  // namespace ccm::sdk
