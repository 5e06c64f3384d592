// Pausing and resuming delivery to a sink: a durable flag every replica's
// dispatcher reads, announced by an event other sinks can alert on.
#include "engine/event_payloads.hpp"
#include "engine/lifecycle.hpp"
#include "engine/unit_of_work.hpp"

namespace ccm::core {

Expected<SinkPause> Lifecycle::pauseSink(const std::string& sink, const std::string& reason, bool automatic,
                                         const EventTrace& trace) {
  return inTransaction<SinkPause>(trace, [&](UnitOfWork& uow) -> Expected<SinkPause> {
    const SinkPause pause{sink, uow.now(), reason, automatic};
    if (!uow.tx().insertSinkPause(pause)) {
      if (auto in_force = uow.tx().findSinkPause(sink)) return *in_force;
      return Error::conflict("sink " + sink + " was resumed while it was being paused; try again");
    }
    uow.record(sinkPaused(pause));
    return pause;
  });
}

Expected<std::optional<SinkPause>> Lifecycle::resumeSink(const std::string& sink, const EventTrace& trace) {
  return inTransaction<std::optional<SinkPause>>(trace, [&](UnitOfWork& uow) -> Expected<std::optional<SinkPause>> {
    auto ended = uow.tx().deleteSinkPause(sink);
    if (ended) uow.record(sinkResumed(*ended, uow.now()));
    return ended;
  });
}

}  // namespace ccm::core
