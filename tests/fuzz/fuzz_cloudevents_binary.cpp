// An HTTP message as ingress reads it (binary, structured or batch mode by
// its headers): "Name: value" lines, a blank line, then the body. No input
// crashes the codec; an event it reads round-trips through structured mode,
// and through binary mode unchanged if it came in binary mode. (An event from
// a structured or batch message may change in binary mode only as codec.hpp
// says: typed extensions come back as strings, unlabelled data gets a label,
// text and bytes are told apart by Content-Type.)
#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/text.hpp"
#include "fuzz_target.hpp"

namespace {

bool isEventFormatMessage(const ccm::sdk::Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (!ccm::sdk::equalsIgnoreCase(name, "content-type")) continue;
    const std::string_view type = std::string_view(value).substr(std::min(value.find_first_not_of(" \t"), value.size()));
    return type.size() >= 23 && ccm::sdk::equalsIgnoreCase(type.substr(0, 23), "application/cloudevents");
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = ccm::fuzz::asText(data, size);
  const auto blank = text.find("\n\n");
  const std::string_view head = text.substr(0, blank);
  const std::string_view body = blank == std::string_view::npos ? std::string_view() : text.substr(blank + 2);
  ccm::sdk::Headers headers;
  std::size_t start = 0;
  while (start < head.size()) {
    const auto end = std::min(head.find('\n', start), head.size());
    const auto line = head.substr(start, end - start);
    if (const auto colon = line.find(':'); colon != std::string_view::npos) {
      auto value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    start = end + 1;
  }
  const auto parsed = ccm::sdk::parseHttp(headers, body);
  if (!parsed) return 0;
  const bool binary_mode = !isEventFormatMessage(headers);
  for (const auto& event : parsed.value()) {
    const ccm::sdk::HttpMessage binary = ccm::sdk::toBinary(event);
    const auto read_back = ccm::sdk::parseHttp(binary.headers, binary.body);
    if (!read_back || read_back.value().size() != 1) {
      ccm::fuzz::propertyFailed("an event read from an HTTP message cannot be read back from binary mode");
    }
    const ccm::sdk::CloudEvent& binary_again = read_back.value().front();
    if (binary_mode ? binary_again != event
                    : binary_again.data.value() != event.data.value() || binary_again.id != event.id) {
      ccm::fuzz::propertyFailed("an event read from an HTTP message does not round-trip in binary mode");
    }
    const std::string written = ccm::sdk::toStructured(event);
    const auto again = ccm::sdk::parseStructured(written);
    if (!again || ccm::sdk::toStructured(again.value()) != written) {
      ccm::fuzz::propertyFailed("an event read from an HTTP message does not round-trip in structured mode");
    }
  }
  return 0;
}
