#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/result.hpp"

// CloudEvents 1.0.2 JSON event format and HTTP protocol binding.
// All functions are pure and thread-safe.
namespace ccm::sdk {

inline constexpr std::string_view kStructuredContentType = "application/cloudevents+json";
inline constexpr std::string_view kBatchContentType = "application/cloudevents-batch+json";
// Content-Type of binary-mode bytes or text that have no datacontenttype.
inline constexpr std::string_view kUnlabelledBytesContentType = "application/octet-stream";
inline constexpr std::string_view kUnlabelledTextContentType = "text/plain; charset=utf-8";

// Checks an event against the spec's rules; the error names the attribute and
// the rule broken. Attribute names longer than 20 characters are accepted (the
// spec only says SHOULD NOT); see docs/plugin-sdk.md.
std::optional<Error> validate(const CloudEvent& event);

// Limits applied while parsing untrusted input.
struct ParseLimits {
  std::size_t max_depth = 64;  // nesting of JSON objects/arrays inside an event
};

// Whether `json` nests objects and arrays deeper than `max_depth`. Reading
// stops at the first level too deep (time linear in the input, no recursion),
// so a caller can refuse a body before anything recursive walks it. Malformed
// JSON counts only up to its first error.
bool jsonNestsDeeperThan(std::string_view json, std::size_t max_depth);

// JSON event format (structured mode). Parsing validates the event.
Result<CloudEvent> parseStructured(std::string_view json, const ParseLimits& limits = {});
std::string toStructured(const CloudEvent& event);

// Batch format: a JSON array of structured events. An error names the member
// index ("[3].type ...").
Result<std::vector<CloudEvent>> parseBatch(std::string_view json, const ParseLimits& limits = {});
std::string toBatch(const std::vector<CloudEvent>& events);

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpMessage {
  Headers headers;  // includes Content-Type when the event has a datacontenttype
  std::string body;
};

// Binary mode: context attributes in ce-* headers (values percent-encoded as the
// HTTP binding 3.1.3.2 specifies), datacontenttype as Content-Type, data as body.
// Binary or text data without a datacontenttype is labelled with the constants
// above (unlabelled data would read back as JSON). An event whose datacontenttype is
// itself a CloudEvents format is written in structured mode, since a receiver
// reads such a Content-Type as a structured event (HTTP binding 3.1).
HttpMessage toBinary(const CloudEvent& event);
// Header names are matched case-insensitively.
Result<CloudEvent> parseBinary(const Headers& headers, std::string_view body);

// Reads any of the three modes, chosen by Content-Type as the HTTP binding says:
// structured and batch by their media types, binary otherwise.
Result<std::vector<CloudEvent>> parseHttp(const Headers& headers, std::string_view body,
                                          const ParseLimits& limits = {});

// HTTP binding 3.1.3.2: percent-encode space, double quote, percent and any
// byte outside printable ASCII; decode the reverse (error on bad escapes).
std::string percentEncodeHeaderValue(std::string_view value);
Result<std::string> percentDecodeHeaderValue(std::string_view value);

}  // namespace ccm::sdk
