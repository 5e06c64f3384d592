#include "ccm/sdk/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "codec_detail.hpp"

namespace ccm::sdk {
namespace {

char lowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return lowerAscii(x) == lowerAscii(y); });
}

std::string_view utf8Prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t size = max_bytes;
  while (size > 0 && (static_cast<unsigned char>(text[size]) & 0xC0) == 0x80) --size;  // a continuation byte
  return text.substr(0, size);
}

namespace detail {

std::string asciiLower(std::string_view text) {
  std::string lowered(text);
  std::ranges::transform(lowered, lowered.begin(), lowerAscii);
  return lowered;
}

std::string_view trimWhitespace(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

namespace {

// Decodes UTF-8 and asks `accept` about every code point.
template <class Accept>
bool scanUtf8(std::string_view text, Accept accept) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      if (!accept(std::uint32_t{lead})) return false;
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t minimum = 0;
    if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1Fu;
      minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0Fu;
      minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07u;
      minimum = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3Fu);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8 (RFC 3629 section 3).
    if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    if (!accept(code_point)) return false;
    i += length;
  }
  return true;
}

}  // namespace

bool isValidUtf8(std::string_view text) {
  // Eight ASCII bytes at a time up to the first byte that is not ASCII:
  // whole JSON bodies go through here.
  std::size_t ascii = 0;
  for (; text.size() - ascii >= 8; ascii += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + ascii, sizeof word);
    if (word & 0x8080808080808080u) break;
  }
  return scanUtf8(text.substr(ascii), [](std::uint32_t) { return true; });
}

// Core spec, type system: String excludes control characters (U+0000-U+001F,
// U+007F-U+009F) and Unicode noncharacters.
bool isSpecString(std::string_view text) {
  return scanUtf8(text, [](std::uint32_t c) {
    return c >= 0x20 && !(c >= 0x7F && c <= 0x9F) && !(c >= 0xFDD0 && c <= 0xFDEF) && (c & 0xFFFE) != 0xFFFE;
  });
}

std::string quoted(std::string_view value) {
  constexpr std::size_t kMaxShown = 100;
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (const char c : value.substr(0, kMaxShown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte > 0x7E) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  out += value.size() > kMaxShown ? "\"..." : "\"";
  return out;
}

std::string mediaTypeEssence(std::string_view media_type) {
  return asciiLower(trimWhitespace(media_type.substr(0, media_type.find(';'))));
}

bool isJsonMediaType(std::string_view media_type) {
  const std::string essence = mediaTypeEssence(media_type);
  return essence == "application/json" || essence == "text/json" ||
         (essence.ends_with("+json") && essence.find('/') != std::string::npos);
}

bool isEventFormat(std::string_view media_type) {
  return mediaTypeEssence(media_type).starts_with("application/cloudevents");
}

Error inBatchMember(std::size_t index, Error error) {
  const std::string member = "[" + std::to_string(index) + "]";
  error.where = error.where.empty() ? member : member + "." + error.where;
  error.message = "batch member " + member + ": " + error.message;
  return error;
}

}  // namespace detail
}  // namespace ccm::sdk
