#include "cesql/utf8.hpp"

#include <Poco/Unicode.h>

namespace ccm::core::cesql::utf8 {
namespace {

struct Decoded {
  char32_t code_point = 0;
  std::size_t length = 1;
  bool valid = false;
};

Decoded decode(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return {lead, 1, true};
  std::size_t length = 0;
  char32_t code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return {};
  }
  if (at + length > text.size()) return {};
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return {};
    code_point = (code_point << 6) | (byte(at + i) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not characters.
  const char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < smallest[length] || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return {};
  }
  return {code_point, length, true};
}

void append(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string mapCharacters(std::string_view text, int (*map)(int)) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const auto decoded = decode(text, at);
    if (decoded.valid) {
      append(out, static_cast<char32_t>(map(static_cast<int>(decoded.code_point))));
    } else {
      out += text[at];
    }
    at += decoded.length;
  }
  return out;
}

// The Unicode White_Space property (PropList.txt), which TRIM names.
bool isWhiteSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

}  // namespace

std::size_t characterLength(std::string_view text, std::size_t at) {
  return at >= text.size() ? 0 : decode(text, at).length;
}

std::size_t characterCount(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t at = 0; at < text.size(); at += characterLength(text, at)) ++count;
  return count;
}

std::size_t offsetOfCharacter(std::string_view text, std::size_t index) {
  std::size_t at = 0;
  for (; index > 0 && at < text.size(); --index) at += characterLength(text, at);
  return at;
}

std::string toLower(std::string_view text) {
  return mapCharacters(text, &Poco::Unicode::toLower);
}
std::string toUpper(std::string_view text) {
  return mapCharacters(text, &Poco::Unicode::toUpper);
}

std::string_view trimWhiteSpace(std::string_view text) {
  std::size_t begin = 0;
  while (begin < text.size()) {
    const auto decoded = decode(text, begin);
    if (!decoded.valid || !isWhiteSpace(decoded.code_point)) break;
    begin += decoded.length;
  }
  std::size_t end = begin;
  for (std::size_t at = begin; at < text.size();) {
    const auto decoded = decode(text, at);
    at += decoded.length;
    if (!decoded.valid || !isWhiteSpace(decoded.code_point)) end = at;
  }
  return text.substr(begin, end - begin);
}

}  // namespace ccm::core::cesql::utf8
