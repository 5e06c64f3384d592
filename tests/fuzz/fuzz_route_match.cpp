// The HTTP front's routing of a request target: percent-decoding and the
// route table's matching. First line the method, the rest the target.
#include "api/router.hpp"
#include "fuzz_target.hpp"

namespace {

const ccm::core::Router& routes() {
  static const ccm::core::Router router = [] {
    ccm::core::Router r;
    const auto answer = [](const ccm::core::HttpRequest&, const ccm::core::PathParams&) { return ccm::core::HttpResponse{}; };
    for (const char* pattern : {"/api/v1/sessions", "/api/v1/sessions/{id}", "/api/v1/sessions/{id}/stop",
                                "/api/v1/definitions/{id}/versions", "/api/v1/deadletters/{id}/replay",
                                "/api/v1/sinks/{name}/skipped", "/api/v1/schemas/{type}", "/healthz"}) {
      r.add("GET", pattern, answer);
      r.add("POST", pattern, answer);
    }
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = ccm::fuzz::asText(data, size);
  const auto newline = text.find('\n');
  const std::string method(text.substr(0, newline));
  const std::string target(newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1));
  const auto path = ccm::core::requestPath(target);
  if (!path) return 0;
  const auto found = routes().match(method, *path);
  if (found.handler != nullptr && found.pattern.empty()) ccm::fuzz::propertyFailed("a match without its pattern");
  return 0;
}
