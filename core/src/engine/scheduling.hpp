#pragma once

#include <cstddef>
#include <optional>

#include "ccm/sdk/result.hpp"
#include "domain/aggregates.hpp"

// Whether a session may be placed on a worker. Pure: the caller counts the
// worker's live sessions (isLive in session_transitions.hpp) and, on success,
// allocates ports (port_allocator.hpp) and moves the session to scheduled.
namespace ccm::core {

// std::nullopt when `session` may go to `worker`; otherwise the reason, naming
// the session or the worker and its state: the session is not pending (where
// = "state"), the worker is draining or not running (where = "worker_id"), or
// it already hosts `capacity` live sessions (where = "worker_id").
std::optional<sdk::Error> checkSchedulable(const LabletSession& session, const Worker& worker,
                                           std::size_t live_sessions_on_worker);

}  // namespace ccm::core
