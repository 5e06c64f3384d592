#include "domain/uuid.hpp"

#include <array>
#include <cstdint>
#include <random>

namespace ccm::core {
namespace {

std::mt19937_64& threadGenerator() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    // Seed the whole state from several draws: one 32-bit seed would make
    // collisions across gateway instances far likelier than 122 random bits.
    std::array<std::uint32_t, 8> seed{};
    for (auto& word : seed) word = device();
    std::seed_seq sequence(seed.begin(), seed.end());
    return std::mt19937_64(sequence);
  }();
  return generator;
}

}  // namespace

std::string newUuid() {
  auto& generator = threadGenerator();
  std::array<std::uint8_t, 16> bytes{};
  for (std::size_t i = 0; i < bytes.size(); i += 8) {
    std::uint64_t word = generator();
    for (std::size_t j = 0; j < 8; ++j, word >>= 8) bytes[i + j] = static_cast<std::uint8_t>(word);
  }
  // RFC 4122 section 4.4: version 4 in the high nibble of octet 6, variant 10x
  // in the high bits of octet 8.
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);

  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 0x0F];
  }
  return text;
}

}  // namespace ccm::core
