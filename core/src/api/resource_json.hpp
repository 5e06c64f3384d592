#pragma once

#include <string>

#include "domain/aggregates.hpp"

// The REST API's representation of the aggregates, as docs/api.md documents
// it. It is the public format (also the lablet definition a pod generator
// plugin receives); the store keeps its own (store/aggregate_json.hpp), so
// either can change without the other.
namespace ccm::core {

std::string resourceJson(const LabletDefinition& definition);
std::string resourceJson(const DefinitionVersion& version);
std::string resourceJson(const Worker& worker);
std::string resourceJson(const LabletSession& session);

}  // namespace ccm::core
