#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ccm/sdk/codec.hpp"

// Helpers shared by the codec's translation units; not part of the SDK API.
namespace ccm::sdk::detail {

// text.cpp
std::string asciiLower(std::string_view text);
std::string_view trimWhitespace(std::string_view text);  // RFC 9110 OWS: SP and HTAB
bool isValidUtf8(std::string_view text);
// UTF-8 without the characters the core spec's String type disallows.
bool isSpecString(std::string_view text);
// A value quoted for an error message: control and non-ASCII bytes escaped, long values cut.
std::string quoted(std::string_view value);
// "type/subtype" lower-cased, parameters dropped.
std::string mediaTypeEssence(std::string_view media_type);
// application/json, text/json or any +json suffix (RFC 6839).
bool isJsonMediaType(std::string_view media_type);
// A CloudEvents event format (application/cloudevents, +json, -batch+json, ...):
// the HTTP binding reads a body labelled so as events, not as data.
bool isEventFormat(std::string_view media_type);
// Error::where "[i].attr" and a message naming the batch member.
Error inBatchMember(std::size_t index, Error error);

// validation.cpp: the string-valued context attributes by name, or nullptr.
inline constexpr std::string_view kRequiredAttributes[] = {"specversion", "id", "source", "type"};
std::string* requiredAttribute(CloudEvent& event, std::string_view name);
std::optional<std::string>* optionalAttribute(CloudEvent& event, std::string_view name);
bool isContextAttribute(std::string_view name);
// validate() for an event whose JSON data the JSON reader has just written
// itself (so it is one JSON value by construction and is not parsed again).
std::optional<Error> validateParsed(const CloudEvent& event);

// base64.cpp (RFC 4648 section 4, with padding)
std::string encodeBase64(std::string_view raw);
std::optional<std::string> decodeBase64(std::string_view text);

// json_reader.cpp: syntax and nesting check without building a DOM, so it is
// safe on any input; the error is reported for `attribute`.
std::optional<Error> checkJsonValue(std::string_view json, std::size_t max_depth, std::string_view attribute);
// The same check, returning the value without insignificant whitespace.
Result<std::string> compactJsonValue(std::string_view json, std::size_t max_depth, std::string_view attribute);

// codec.cpp: the reason an encoded header value is malformed, if it is.
std::optional<std::string> percentDecode(std::string_view value, std::string& decoded);

// http_binding.cpp
Result<CloudEvent> parseBinaryEvent(const Headers& headers, std::string_view body, const ParseLimits& limits);

}  // namespace ccm::sdk::detail
