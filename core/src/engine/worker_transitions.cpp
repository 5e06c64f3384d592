#include "engine/worker_transitions.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace ccm::core {
namespace {

struct WorkerEdge {
  WorkerState from;
  WorkerState to;
};

using W = WorkerState;

// The main line drains before it stops so live sessions can finish; a running
// worker may also stop at once (scale-down of an idle worker), and one still
// coming up may be cancelled. Order within one `from` is the order
// allowedNext reports.
constexpr std::array kWorkerEdges{
    WorkerEdge{W::Pending, W::Provisioning}, WorkerEdge{W::Pending, W::Stopping},
    WorkerEdge{W::Provisioning, W::Running}, WorkerEdge{W::Provisioning, W::Stopping},
    WorkerEdge{W::Running, W::Draining},     WorkerEdge{W::Running, W::Stopping},
    WorkerEdge{W::Draining, W::Stopping},    WorkerEdge{W::Stopping, W::Stopped},
    WorkerEdge{W::Stopped, W::Terminated},
};

// Same wording as the session machine's refusal (session_transitions.cpp).
sdk::Error illegalTransition(const Worker& worker, WorkerState to, const std::vector<WorkerState>& allowed) {
  const std::string from = "\"" + std::string(toString(worker.state)) + "\"";
  std::string message = "worker " + worker.id + ": cannot go from " + from + " to \"" + std::string(toString(to)) +
                        "\" (allowed from " + from + ": ";
  if (allowed.empty()) message += "none";
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    message += (i > 0 ? ", \"" : "\"") + std::string(toString(allowed[i])) + "\"";
  }
  return sdk::Error{"state", message + ")"};
}

}  // namespace

std::vector<WorkerState> allowedNext(WorkerState from) {
  std::vector<WorkerState> next;
  for (const auto& edge : kWorkerEdges) {
    if (edge.from == from) next.push_back(edge.to);
  }
  return next;
}

sdk::Result<Worker> applyTransition(const Worker& worker, WorkerState to, const std::string& now) {
  const auto allowed = allowedNext(worker.state);
  if (std::find(allowed.begin(), allowed.end(), to) == allowed.end()) {
    return illegalTransition(worker, to, allowed);
  }
  Worker next = worker;
  next.state = to;
  next.updated_at = now;
  return next;
}

}  // namespace ccm::core
