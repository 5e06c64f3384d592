#pragma once

#include <string>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/result.hpp"

namespace ccm::sdk {

// An event type a source handles (exact name, or a glob with '*'), and the
// JSON Schema its data must satisfy before the source sees it.
struct ClaimedType {
  std::string type;
  std::string data_schema;  // JSON Schema document, as text
};

// An instruction to the lifecycle engine. `name` is from the engine's command
// catalog (docs/plugin-sdk.md); `arguments` is a JSON object, as text.
struct Command {
  std::string name;
  std::string arguments;
};

// Turns accepted external CloudEvents into engine commands. The core applies
// the commands and appends the event to the event log in one transaction, so a
// source does no I/O of its own for state changes.
class Source {
public:
  virtual ~Source() = default;
  virtual std::vector<ClaimedType> claims() const = 0;
  // Called after validation and deduplication. An Error rejects the event
  // (HTTP 422 with the error's message). Must not throw; thread-safe.
  virtual Result<std::vector<Command>> translate(const CloudEvent& event) = 0;
};

}  // namespace ccm::sdk
