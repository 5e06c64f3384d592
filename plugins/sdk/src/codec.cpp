// Entry points shared by the HTTP binding's three content modes.
#include "ccm/sdk/codec.hpp"

#include "ccm/sdk/text.hpp"
#include "codec_detail.hpp"

namespace ccm::sdk {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

// HTTP binding 3.1.3.2: printable ASCII stays, except space, '"' and '%'; every
// other byte (so each byte of a UTF-8 sequence) becomes %XX.
std::string percentEncodeHeaderValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(value.size());
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x21 && byte <= 0x7E && c != '"' && c != '%') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 0xF];
    }
  }
  return encoded;
}

// Unencoded bytes are kept as they are (be liberal in what you accept); the
// result must be UTF-8, as HTTP binding 3.1.3.2 requires of decoders.
std::optional<std::string> detail::percentDecode(std::string_view value, std::string& decoded) {
  decoded.clear();
  decoded.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      decoded += value[i];
      continue;
    }
    const int high = i + 1 < value.size() ? hexValue(value[i + 1]) : -1;
    const int low = i + 2 < value.size() ? hexValue(value[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return quoted(value.substr(i, 3)) + " at byte " + std::to_string(i) +
             " is not a valid percent-escape (%XX with two hex digits, HTTP binding 3.1.3.2)";
    }
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  if (!isValidUtf8(decoded)) return "the decoded value is not valid UTF-8 (HTTP binding 3.1.3.2)";
  return std::nullopt;
}

Result<std::string> percentDecodeHeaderValue(std::string_view value) {
  std::string decoded;
  if (auto reason = detail::percentDecode(value, decoded)) {
    return Error{"", "header value " + detail::quoted(value) + ": " + *reason};
  }
  return decoded;
}

// HTTP binding 3.1: the two event format media types select structured and
// batch mode; any other Content-Type (or none) means binary mode.
Result<std::vector<CloudEvent>> parseHttp(const Headers& headers, std::string_view body, const ParseLimits& limits) {
  std::optional<std::string> content_type;
  for (const auto& [name, value] : headers) {
    if (!equalsIgnoreCase(name, "content-type")) continue;
    if (content_type) return Error{"Content-Type", "header \"Content-Type\" appears more than once"};
    content_type = value;
  }
  const std::string essence = content_type ? detail::mediaTypeEssence(*content_type) : "";
  if (essence == kStructuredContentType) {
    auto event = parseStructured(body, limits);
    if (!event) return event.error();
    return std::vector<CloudEvent>{std::move(event.value())};
  }
  if (essence == kBatchContentType) return parseBatch(body, limits);
  if (detail::isEventFormat(essence)) {
    return Error{"Content-Type", "header \"Content-Type\": " + detail::quoted(*content_type) +
                                     " is an unsupported event format; only " + std::string(kStructuredContentType) +
                                     " and " + std::string(kBatchContentType) + " are supported"};
  }
  auto event = detail::parseBinaryEvent(headers, body, limits);
  if (!event) return event.error();
  return std::vector<CloudEvent>{std::move(event.value())};
}

}  // namespace ccm::sdk
