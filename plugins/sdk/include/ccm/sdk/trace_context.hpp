#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/result.hpp"

// W3C Trace Context (https://www.w3.org/TR/trace-context/) as the HTTP
// headers `traceparent` and `tracestate` carry it, and as the CloudEvents
// Distributed Tracing extension carries it (extension attributes of the same
// names, type String). All functions are pure and thread-safe.
namespace ccm::sdk {

// One valid trace context. A value type: copy freely.
struct TraceContext {
  // Inputs longer than these are refused before they are parsed: a
  // traceparent of a future version may be longer than version 00's 55
  // characters, but not without bound; a tracestate keeps at most 32 members
  // of at most 512 characters in all (W3C 3.3.1.1), so a longer input only
  // costs parsing.
  static constexpr std::size_t kMaxTraceparentInput = 256;
  static constexpr std::size_t kMaxTracestateInput = 4096;
  static constexpr std::size_t kMaxTracestateMembers = 32;
  static constexpr std::size_t kTracestateKeptBytes = 512;

  std::string trace_id;   // 32 lowercase hex digits, not all zero
  std::string parent_id;  // 16 lowercase hex digits, not all zero
  std::uint8_t flags = 0;
  std::string tracestate;  // a valid list ("k1=v1,k2=v2"), or empty

  // "00-<trace_id>-<parent_id>-<flags>": version 00, the one this code
  // knows, whatever version was read (W3C 3.2.4: a higher version is read by
  // its first 55 characters, as version 00).
  std::string traceparent() const;
  bool sampled() const { return (flags & 0x01) != 0; }

  friend bool operator==(const TraceContext&, const TraceContext&) = default;
};

// A traceparent value (W3C 3.2): lowercase hex fields, version ff and
// all-zero ids refused, version 00 exactly 55 characters, a higher version
// at least 55 with a '-' after them. Spaces and tabs around it are ignored.
// The result has no tracestate; the error's `where` is "traceparent".
Result<TraceContext> parseTraceparent(std::string_view value);

// A tracestate value (W3C 3.3): comma-separated key=value members (empty
// members skipped, whitespace around members dropped), at most 32. The
// members joined with ","; over 512 characters, members longer than 128 are
// dropped first, then members from the end (W3C 3.3.1.5). The error's
// `where` is "tracestate".
Result<std::string> parseTracestate(std::string_view value);

// What a carrier (HTTP headers, an event's extensions) held: no trace
// context, a valid one, or a traceparent that was not valid (`problem` says
// why and `context` is empty). A valid traceparent with a tracestate that is
// not gives the context without tracestate, and `problem` says why it was
// dropped. A tracestate without a valid traceparent is dropped silently.
struct TraceReading {
  std::optional<TraceContext> context;
  std::optional<Error> problem;
};

// The `traceparent` and `tracestate` headers (names compared without case).
// Two traceparent headers are not valid; several tracestate headers are one
// list, joined in order (W3C 3.3.1.1, RFC 9110 5.3).
TraceReading readTraceHeaders(const Headers& headers);
// The event's Distributed Tracing extension attributes (String values only).
TraceReading readTraceExtensions(const CloudEvent& event);

// Sets the event's `traceparent` extension, and `tracestate` when the
// context has one (else removes it).
void setTraceExtensions(CloudEvent& event, const TraceContext& context);
// `traceparent`, and `tracestate` when there is one, as HTTP headers.
Headers traceHeaders(const TraceContext& context);

// The context every one of `contexts` is, or std::nullopt when one of them
// is missing or two differ (or there are none): what a request carrying
// several events may send as its own headers.
std::optional<TraceContext> sharedTraceContext(std::span<const std::optional<TraceContext>> contexts);

}  // namespace ccm::sdk
