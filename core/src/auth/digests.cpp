#include "auth/digests.hpp"

#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>

namespace ccm::core {
namespace {

// Poco 1.11's SHA2Engine lacks the BLOCK_SIZE and DIGEST_SIZE HMACEngine needs.
class Sha256Engine : public Poco::SHA2Engine {
public:
  enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
  Sha256Engine() : Poco::SHA2Engine(SHA_256) {}
};

}  // namespace

std::string sha256(std::string_view text) {
  Sha256Engine engine;
  engine.update(text.data(), text.size());
  const auto& digest = engine.digest();
  return {digest.begin(), digest.end()};
}

std::string hmacSha256Hex(std::string_view key, std::string_view message) {
  Poco::HMACEngine<Sha256Engine> hmac(key.data(), key.size());
  hmac.update(message.data(), message.size());
  return Poco::DigestEngine::digestToHex(hmac.digest());
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}

}  // namespace ccm::core
