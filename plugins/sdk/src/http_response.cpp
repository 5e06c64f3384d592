#include <algorithm>
#include <cctype>

#include "ccm/sdk/host.hpp"

namespace ccm::sdk {

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  auto same = [](std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
      return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
  };
  for (const auto& [key, value] : headers) {
    if (same(key, name)) return value;
  }
  return std::nullopt;
}

}  // namespace ccm::sdk
