#pragma once

#include <string>
#include <vector>

#include "ccm/sdk/result.hpp"
#include "domain/aggregates.hpp"
#include "domain/states.hpp"

// The Worker state machine (Phase 4 plan, task 4.3) as one pure transition
// table. No I/O: the caller supplies the clock, stores the result and emits the
// event (ccm.worker.draining, ccm.worker.scaling.down, ...).
namespace ccm::core {

// The states a worker may move to from `from`, in lifecycle order; empty for
// terminated.
std::vector<WorkerState> allowedNext(WorkerState from);

// Returns `worker` moved to `to` with updated_at = now, or an Error (where =
// "state") naming the worker, its state and the allowed ones when the table
// has no such edge.
sdk::Result<Worker> applyTransition(const Worker& worker, WorkerState to, const std::string& now);

}  // namespace ccm::core
