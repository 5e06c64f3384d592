#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/trace_context.hpp"
#include "domain/domain_event.hpp"
#include "engine/cloud_event_converter.hpp"
#include "store/store.hpp"

namespace ccm::core {

// The trace context (W3C Trace Context) of the REST call or inbound event
// that caused a command; std::nullopt when it came without one.
using EventTrace = std::optional<sdk::TraceContext>;

// One command's transaction plus its clock reading. record() converts a domain
// event at the boundary and appends it to the event log in the same
// transaction as the aggregate change (the outbox). Events recorded while
// it has a trace carry it as the CloudEvents Distributed Tracing extension,
// unchanged: the gateway records no spans of its own, so a parent-id of its
// making would name a span no tracing backend ever receives
// (docs/delivery.md#trace-context).
class UnitOfWork {
public:
  UnitOfWork(Transaction& tx, const CloudEventConverter& converter, std::string now, EventTrace trace = std::nullopt)
      : tx_(tx), converter_(converter), now_(std::move(now)), trace_(std::move(trace)) {}

  Transaction& tx() { return tx_; }
  const std::string& now() const { return now_; }
  // The trace of the events recorded from now on (an ingress group's unit of
  // work serves several inbound events, each with its own).
  void useTrace(EventTrace trace) { trace_ = std::move(trace); }
  void record(const DomainEvent& event) {
    auto cloud_event = converter_.convert(event);
    if (trace_) sdk::setTraceExtensions(cloud_event, *trace_);
    tx_.appendEvent(cloud_event);
  }

private:
  Transaction& tx_;
  const CloudEventConverter& converter_;
  std::string now_;
  EventTrace trace_;
};

}  // namespace ccm::core
