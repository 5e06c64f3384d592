#include "ccm/sdk/trace_context.hpp"

#include <algorithm>
#include <vector>

#include "ccm/sdk/text.hpp"
#include "codec_detail.hpp"

namespace ccm::sdk {
namespace {

constexpr std::string_view kTraceparent = "traceparent";
constexpr std::string_view kTracestate = "tracestate";
// version "-" trace-id "-" parent-id "-" trace-flags (W3C 3.2.2).
constexpr std::size_t kVersion00Length = 55;
constexpr std::size_t kTraceIdAt = 3;
constexpr std::size_t kParentIdAt = 36;
constexpr std::size_t kFlagsAt = 53;
constexpr std::size_t kLongMemberBytes = 128;

bool isLowerHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool isLowerHex(std::string_view text) {
  return std::ranges::all_of(text, [](char c) { return isLowerHex(c); });
}

bool isAllZero(std::string_view text) {
  return text.find_first_not_of('0') == std::string_view::npos;
}

int hexValue(char c) {
  return c <= '9' ? c - '0' : c - 'a' + 10;
}

Error traceparentError(std::string_view value, const std::string& why) {
  return Error{std::string(kTraceparent), "traceparent " + detail::quoted(value) + " " + why};
}

Error tracestateError(const std::string& why) {
  return Error{std::string(kTracestate), "tracestate " + why};
}

bool isLowerAlpha(char c) {
  return c >= 'a' && c <= 'z';
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

bool isKeyChar(char c) {
  return isLowerAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

// key = simple-key / multi-tenant-key (W3C 3.3.1.3.1):
// simple-key = lcalpha 0*255(keychar); tenant-id = (lcalpha / DIGIT) 0*240(keychar);
// system-id = lcalpha 0*13(keychar).
bool isTracestateKey(std::string_view key) {
  const auto at = key.find('@');
  if (at == std::string_view::npos) {
    return !key.empty() && key.size() <= 256 && isLowerAlpha(key.front()) && std::ranges::all_of(key, isKeyChar);
  }
  const auto tenant = key.substr(0, at);
  const auto system = key.substr(at + 1);
  return !tenant.empty() && tenant.size() <= 241 && (isLowerAlpha(tenant.front()) || isDigit(tenant.front())) &&
         std::ranges::all_of(tenant, isKeyChar) && !system.empty() && system.size() <= 14 &&
         isLowerAlpha(system.front()) && std::ranges::all_of(system, isKeyChar);
}

// value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr;
// nblk-chr = %x21-2B / %x2D-3C / %x3E-7E (W3C 3.3.1.3.2).
bool isTracestateValue(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  return std::ranges::all_of(value, [](char c) { return c >= 0x20 && c <= 0x7E && c != ',' && c != '='; });
}

std::string joined(const std::vector<std::string_view>& members) {
  std::string out;
  for (const auto member : members) {
    if (!out.empty()) out += ',';
    out += member;
  }
  return out;
}

std::size_t joinedSize(const std::vector<std::string_view>& members) {
  std::size_t size = members.empty() ? 0 : members.size() - 1;
  for (const auto member : members) size += member.size();
  return size;
}

TraceReading read(std::optional<std::string_view> traceparent, std::optional<std::string_view> tracestate) {
  if (!traceparent) return {};
  auto parent = parseTraceparent(*traceparent);
  if (!parent) return {std::nullopt, parent.error()};
  TraceReading reading{std::move(parent.value()), std::nullopt};
  if (tracestate) {
    auto state = parseTracestate(*tracestate);
    if (state) {
      reading.context->tracestate = std::move(state.value());
    } else {
      reading.problem = state.error();
    }
  }
  return reading;
}

}  // namespace

std::string TraceContext::traceparent() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "00-";
  out += trace_id;
  out += '-';
  out += parent_id;
  out += '-';
  out += kHex[flags >> 4];
  out += kHex[flags & 0xF];
  return out;
}

Result<TraceContext> parseTraceparent(std::string_view value) {
  value = detail::trimWhitespace(value);
  if (value.size() > TraceContext::kMaxTraceparentInput) {
    return traceparentError(value,
                            "is longer than " + std::to_string(TraceContext::kMaxTraceparentInput) + " characters");
  }
  if (value.size() < kVersion00Length) {
    return traceparentError(value, "is shorter than the 55 characters of version-traceid-parentid-flags");
  }
  const auto version = value.substr(0, 2);
  if (!isLowerHex(version) || value[2] != '-') {
    return traceparentError(value, "does not start with a version of two lowercase hex digits and '-'");
  }
  if (version == "ff") return traceparentError(value, "has version ff, which is not valid");
  // W3C 3.2.4: version 00 is exactly 55 characters; a higher version is
  // read by its first 55, and may go on only after a '-'.
  if (version == "00" && value.size() != kVersion00Length) {
    return traceparentError(value, "is version 00 and must be exactly 55 characters");
  }
  if (value.size() > kVersion00Length && value[kVersion00Length] != '-') {
    return traceparentError(value, "has more than its 55 characters without a '-' after them");
  }
  const auto trace_id = value.substr(kTraceIdAt, 32);
  const auto parent_id = value.substr(kParentIdAt, 16);
  const auto flags = value.substr(kFlagsAt, 2);
  if (value[kParentIdAt - 1] != '-' || value[kFlagsAt - 1] != '-' || !isLowerHex(trace_id) || !isLowerHex(parent_id) ||
      !isLowerHex(flags)) {
    return traceparentError(value, "is not version-traceid-parentid-flags in lowercase hex (2-32-16-2 digits)");
  }
  if (isAllZero(trace_id)) return traceparentError(value, "has an all-zero trace-id");
  if (isAllZero(parent_id)) return traceparentError(value, "has an all-zero parent-id");
  return TraceContext{std::string(trace_id),
                      std::string(parent_id),
                      static_cast<std::uint8_t>(hexValue(flags[0]) * 16 + hexValue(flags[1])),
                      {}};
}

Result<std::string> parseTracestate(std::string_view value) {
  if (value.size() > TraceContext::kMaxTracestateInput) {
    return tracestateError("is longer than " + std::to_string(TraceContext::kMaxTracestateInput) + " characters");
  }
  std::vector<std::string_view> members;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto comma = std::min(value.find(',', start), value.size());
    const auto member = detail::trimWhitespace(value.substr(start, comma - start));
    start = comma + 1;
    if (member.empty()) continue;
    const auto equals = member.find('=');
    if (equals == std::string_view::npos || !isTracestateKey(member.substr(0, equals)) ||
        !isTracestateValue(member.substr(equals + 1))) {
      return tracestateError("member " + detail::quoted(member) +
                             " is not key=value as W3C Trace Context 3.3.1.3 has it");
    }
    if (members.size() == TraceContext::kMaxTracestateMembers) {
      return tracestateError("has more than " + std::to_string(TraceContext::kMaxTracestateMembers) + " members");
    }
    members.push_back(member);
  }
  // W3C 3.3.1.5: to shorten a list, drop members over 128 characters first,
  // then members from the end.
  if (joinedSize(members) > TraceContext::kTracestateKeptBytes) {
    std::erase_if(members, [](std::string_view member) { return member.size() > kLongMemberBytes; });
  }
  while (joinedSize(members) > TraceContext::kTracestateKeptBytes) members.pop_back();
  return joined(members);
}

TraceReading readTraceHeaders(const Headers& headers) {
  std::optional<std::string_view> traceparent;
  std::optional<std::string> tracestate;
  for (const auto& [name, value] : headers) {
    if (equalsIgnoreCase(name, kTraceparent)) {
      // W3C 3.2: a request with several traceparent headers has none that is valid.
      if (traceparent) return {std::nullopt, traceparentError(value, "is a second traceparent header")};
      traceparent = value;
    } else if (equalsIgnoreCase(name, kTracestate)) {
      if (tracestate && tracestate->size() > TraceContext::kMaxTracestateInput) continue;  // refused anyway
      tracestate = tracestate ? *tracestate + "," + value : value;
    }
  }
  return read(traceparent, tracestate ? std::optional<std::string_view>(*tracestate) : std::nullopt);
}

TraceReading readTraceExtensions(const CloudEvent& event) {
  const auto text = [&event](std::string_view name) -> std::optional<std::string_view> {
    const auto found = event.extensions.find(std::string(name));
    if (found == event.extensions.end()) return std::nullopt;
    if (const auto* value = std::get_if<std::string>(&found->second)) return *value;
    return std::string_view{};  // not a String: not valid
  };
  return read(text(kTraceparent), text(kTracestate));
}

void setTraceExtensions(CloudEvent& event, const TraceContext& context) {
  event.extensions[std::string(kTraceparent)] = context.traceparent();
  if (context.tracestate.empty()) {
    event.extensions.erase(std::string(kTracestate));
  } else {
    event.extensions[std::string(kTracestate)] = context.tracestate;
  }
}

Headers traceHeaders(const TraceContext& context) {
  Headers headers{{std::string(kTraceparent), context.traceparent()}};
  if (!context.tracestate.empty()) headers.emplace_back(std::string(kTracestate), context.tracestate);
  return headers;
}

std::optional<TraceContext> sharedTraceContext(std::span<const std::optional<TraceContext>> contexts) {
  if (contexts.empty() || !contexts.front()) return std::nullopt;
  const bool shared =
      std::ranges::all_of(contexts, [&contexts](const auto& context) { return context == contexts.front(); });
  return shared ? contexts.front() : std::nullopt;
}

}  // namespace ccm::sdk
