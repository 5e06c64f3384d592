#include <array>
#include <cstdint>

#include "codec_detail.hpp"

namespace ccm::sdk::detail {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr int kInvalid = -1;

constexpr std::array<int, 256> makeDecodeTable() {
  std::array<int, 256> table{};
  table.fill(kInvalid);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  return table;
}

constexpr std::array<int, 256> kDecodeTable = makeDecodeTable();

}  // namespace

std::string encodeBase64(std::string_view raw) {
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    const std::uint32_t group = static_cast<unsigned char>(raw[i]) << 16 | static_cast<unsigned char>(raw[i + 1]) << 8 |
                                static_cast<unsigned char>(raw[i + 2]);
    out += kAlphabet[group >> 18 & 0x3F];
    out += kAlphabet[group >> 12 & 0x3F];
    out += kAlphabet[group >> 6 & 0x3F];
    out += kAlphabet[group & 0x3F];
  }
  const std::size_t rest = raw.size() - i;
  if (rest > 0) {
    std::uint32_t group = static_cast<unsigned char>(raw[i]) << 16;
    if (rest == 2) group |= static_cast<unsigned char>(raw[i + 1]) << 8;
    out += kAlphabet[group >> 18 & 0x3F];
    out += kAlphabet[group >> 12 & 0x3F];
    out += rest == 2 ? kAlphabet[group >> 6 & 0x3F] : '=';
    out += '=';
  }
  return out;
}

// Strict: padding required, no whitespace, and the unused bits of the last
// symbol must be zero (RFC 4648 section 3.5 lets decoders reject otherwise), so
// every accepted text is the canonical encoding of its bytes.
std::optional<std::string> decodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t symbols = last ? 4 - padding : 4;
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      int value = 0;
      if (k < symbols) {
        value = kDecodeTable[static_cast<unsigned char>(text[i + k])];
        if (value == kInvalid) return std::nullopt;
      }
      group = group << 6 | static_cast<std::uint32_t>(value);
    }
    if (padding == 2 && last && (group & 0xFFFF) != 0) return std::nullopt;
    if (padding == 1 && last && (group & 0xFF) != 0) return std::nullopt;
    out += static_cast<char>(group >> 16 & 0xFF);
    if (symbols > 2) out += static_cast<char>(group >> 8 & 0xFF);
    if (symbols > 3) out += static_cast<char>(group & 0xFF);
  }
  return out;
}

}  // namespace ccm::sdk::detail
