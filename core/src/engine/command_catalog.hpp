#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ccm/sdk/source.hpp"
#include "config/json_schema.hpp"
#include "domain/aggregates.hpp"
#include "domain/error.hpp"
#include "engine/lifecycle.hpp"

// The engine commands a source may return from translate() (sdk::Command), so
// every inbound event changes state the same way. docs/ingress.md lists them.
namespace ccm::core {

// One command: its name, the JSON Schema of its arguments, and where it takes
// a session. Every command names the session in "session_id".
struct CommandSpec {
  std::string_view name;
  std::string_view arguments_schema;
  SessionState target;    // the state it takes the session to
  SessionState earliest;  // the earliest state it applies from; steps between are caught up
  SessionState settled;   // from here on the command has nothing left to do
};

const std::vector<CommandSpec>& commandSpecs();
const CommandSpec* findCommand(std::string_view name);

// Pure: the states a session passes through when `spec` is applied to it, in
// order. Empty when the event comes late (the session is at or past
// `settled`, or being torn down): accepted, nothing changes. A 409 when it
// comes early (before `earliest`): nothing is stored, so the sender's retry
// applies it once the session has caught up.
Expected<std::vector<SessionState>> planCommand(const CommandSpec& spec, const LabletSession& session);

// A state a session entered through an applied command, with the session as
// it was right after.
struct SessionTransition {
  LabletSession session;
  SessionState entered;
};

// Applies commands with the Lifecycle engine. Thread-safe (const after
// construction).
class CommandCatalog {
public:
  explicit CommandCatalog(Lifecycle& lifecycle);

  // Validates and applies `commands` in order, in `uow`'s transaction
  // (the one Lifecycle::applyIngress* hands its IngressApply), and appends the transitions it
  // made to `made`. An Error means the caller must not commit: 422 for an
  // unknown session, 409 for an early event, 500 for a command or arguments
  // the catalog does not know (a bug in the source).
  std::optional<Error> apply(UnitOfWork& uow, const std::vector<sdk::Command>& commands,
                               std::vector<SessionTransition>& made) const;

private:
  Expected<LabletSession> enter(UnitOfWork& uow, SessionState state, const std::string& session_id,
                                const rapidjson::Value& arguments) const;

  Lifecycle& lifecycle_;
  std::vector<std::shared_ptr<const JsonSchema>> schemas_;  // parallel to commandSpecs()
};

}  // namespace ccm::core
