#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"
#include "ccm/sdk/trace_context.hpp"

// One deliver() call for a sink whose service takes several events per
// request within limits of count and size (Event Grid, EventBridge).
namespace ccm::sinks::common {

// What one request may carry, in bytes as the service counts them.
struct RequestLimits {
  std::size_t max_entries = 1;
  std::size_t max_bytes = 0;
  std::size_t framing_bytes = 0;    // counted once a request, e.g. a JSON array's brackets
  std::size_t separator_bytes = 0;  // counted between two entries, e.g. a comma
};

// One event in the form its request carries it, and its size as the service
// counts it. The sink makes sure an entry fits a request on its own.
struct Entry {
  std::string encoded;
  std::size_t bytes = 0;
  // Entries of different groups never share a request (a Pub/Sub publish
  // request carries one ordering key).
  std::string group{};
  // The event's trace context (its Distributed Tracing extension), which
  // deliverInRequests() sets.
  std::optional<sdk::TraceContext> trace{};
};

// An event's entry, or the outcome it gets without being sent (too large, or
// not expressible in the service's format).
using Prepared = std::variant<Entry, sdk::Outcome>;

// Sends one request carrying `entries`; returns exactly one outcome per entry.
using SendRequest = std::function<std::vector<sdk::Outcome>(std::span<const Entry> entries)>;

// Prepares every event of `batch`, packs the entries in order into requests,
// each filled as far as `limits` allow, and sends them one after another.
// With groups, a group's entries go in batch order, and its requests before
// those of groups whose first entry comes later.
// After a request with a Retryable outcome, the remaining entries are not
// sent: they come back Retryable ("not attempted: ...") with that outcome's
// retry_after, so a retry cannot let them overtake it. Never throws: an
// exception becomes a Retryable outcome for every event still without one.
std::vector<sdk::Outcome> deliverInRequests(const std::vector<sdk::CloudEvent>& batch,
                                            const std::function<Prepared(const sdk::CloudEvent&)>& prepare,
                                            const RequestLimits& limits, const SendRequest& send);

// The `traceparent` (and `tracestate`) headers of a request carrying
// `entries`: their trace context when every one has the same, else none
// (docs/delivery.md#trace-context).
sdk::HttpHeaders traceHeaders(std::span<const Entry> entries);

// The entries' encoded forms as a JSON array: "[e1,e2]".
std::string jsonArray(std::span<const Entry> entries);

}  // namespace ccm::sinks::common
