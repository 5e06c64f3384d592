// The HTTP front's reading of a request, as a connection reads one: Beast's
// parser fed the bytes in pieces (the first byte sets their size, down to one
// byte at a time), the server's head checks, the refusal for a parse error,
// then the headers a handler decodes (Authorization's bearer credential).
// No input crashes it, and a refusal is one of the statuses the server sends.
//
// Boost's assertions are off here, as in the gateway's release build
// (NDEBUG): Boost 1.74's Beast asserts too strictly in its chunk-header
// parser when the input arrives in odd pieces (corpus/http_request/
// regression-beast-chunk-assert; fixed upstream, boostorg/beast#2861), while
// the parser itself refuses that input correctly ("bad field", 400).
#define BOOST_DISABLE_ASSERTS
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <limits>

#include "fuzz_target.hpp"
#include "http/http_message.hpp"
#include "http/request_checks.hpp"

namespace {

namespace http = boost::beast::http;

constexpr std::size_t kMaxHeadBytes = 8 * 1024;
constexpr std::size_t kBodyLimit = 4 * 1024;

void checkRefusal(const ccm::core::RequestRefusal& refusal) {
  static constexpr int kStatuses[] = {400, 408, 413, 417, 431, 501, 505};
  if (std::find(std::begin(kStatuses), std::end(kStatuses), refusal.status) == std::end(kStatuses)) {
    ccm::fuzz::propertyFailed("a refusal with a status the server does not send");
  }
  if (refusal.detail.empty()) ccm::fuzz::propertyFailed("a refusal without a detail");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = data[0] % 16 + 1;
  std::string_view input = ccm::fuzz::asText(data + 1, size - 1);
  http::request_parser<http::string_body> parser;
  parser.header_limit(kMaxHeadBytes);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  bool head_checked = false;
  std::string pending;
  while (!input.empty() && !parser.is_done()) {
    // What the parser did not take stays buffered, as the connection keeps it.
    pending.append(input.substr(0, piece));
    input.remove_prefix(std::min(piece, input.size()));
    boost::system::error_code error;
    const auto used = parser.put(boost::asio::buffer(pending), error);
    pending.erase(0, used);
    if (error == http::error::need_more) continue;
    if (error) {
      checkRefusal(ccm::core::refusalFor(error, pending, parser.is_header_done(), kMaxHeadBytes, kBodyLimit, ""));
      return 0;
    }
    if (!head_checked && parser.is_header_done()) {
      head_checked = true;
      if (auto refusal = ccm::core::checkHead(parser.get())) {
        checkRefusal(*refusal);
        return 0;
      }
      parser.body_limit(kBodyLimit);
      parser.eager(true);
    }
  }
  if (!parser.is_done()) return 0;
  const auto& request = parser.get();
  if (const auto authorization = request.find(http::field::authorization); authorization != request.end()) {
    const auto value = authorization->value();
    if (const auto token = ccm::core::bearerCredential({value.data(), value.size()})) {
      if (!token->empty() && (token->front() == ' ' || token->back() == ' ')) {
        ccm::fuzz::propertyFailed("a bearer credential keeps surrounding whitespace");
      }
    }
  }
  return 0;
}
