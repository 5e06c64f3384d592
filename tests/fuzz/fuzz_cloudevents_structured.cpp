// The structured-mode codec: no input crashes it, and whatever it reads it
// writes back in a form it reads as the same event.
#include "ccm/sdk/codec.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = ccm::sdk::parseStructured(ccm::fuzz::asText(data, size));
  if (!parsed) return 0;
  const std::string written = ccm::sdk::toStructured(parsed.value());
  const auto again = ccm::sdk::parseStructured(written);
  if (!again) ccm::fuzz::propertyFailed("a written event does not read back");
  if (ccm::sdk::toStructured(again.value()) != written) ccm::fuzz::propertyFailed("an event changed on a round trip");
  return 0;
}
