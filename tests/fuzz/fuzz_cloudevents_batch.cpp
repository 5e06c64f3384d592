// The batch-mode codec: no input crashes it, and a batch it reads round-trips.
#include "ccm/sdk/codec.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = ccm::sdk::parseBatch(ccm::fuzz::asText(data, size));
  if (!parsed) return 0;
  const std::string written = ccm::sdk::toBatch(parsed.value());
  const auto again = ccm::sdk::parseBatch(written);
  if (!again) ccm::fuzz::propertyFailed("a written batch does not read back");
  if (ccm::sdk::toBatch(again.value()) != written) ccm::fuzz::propertyFailed("a batch changed on a round trip");
  return 0;
}
