// The config loader: JSON with ${VAR} substitution, schema validation and the
// settings readers. No input crashes it; a refusal names where it is.
#include "config/config_loader.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "TOKEN") return "s3cret";
    if (name == "PORT") return "8080";
    return std::nullopt;
  };
  const auto loaded = ccm::core::loadConfigText(ccm::fuzz::asText(data, size), "fuzz.json", env);
  if (!loaded && loaded.error().message.empty()) ccm::fuzz::propertyFailed("a refusal without a message");
  return 0;
}
