#include "http/request_checks.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include "ccm/sdk/text.hpp"
#include "http/http_message.hpp"

namespace ccm::core {
namespace {

namespace http = boost::beast::http;

std::string_view view(boost::beast::string_view text) { return {text.data(), text.size()}; }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

RequestRefusal bodyTooLarge(std::size_t limit, const std::string& setting) {
  const std::string bytes = std::to_string(limit) + " bytes";
  return {413, "request body exceeds " + (setting.empty() ? bytes : setting + " (" + bytes + ")")};
}

std::optional<RequestRefusal> checkHead(const BeastRequest& head) {
  const auto hosts = head.count(http::field::host);
  if (head.version() == 11 && hosts == 0) return RequestRefusal{400, "an HTTP/1.1 request needs a Host header"};
  if (hosts > 1) return RequestRefusal{400, "more than one Host header"};
  // Beast refuses two Transfer-Encoding headers and one beside a
  // Content-Length; it would take any other coding for an empty body.
  if (const auto encoding = head.find(http::field::transfer_encoding); encoding != head.end()) {
    if (head.version() < 11) return RequestRefusal{400, "Transfer-Encoding is not allowed in an HTTP/1.0 request"};
    if (!sdk::equalsIgnoreCase(trimmed(view(encoding->value())), "chunked")) {
      return RequestRefusal{501, "Transfer-Encoding \"" + std::string(view(encoding->value())) +
                                     "\" is not supported; use chunked"};
    }
  }
  if (const auto expect = head.find(http::field::expect); expect != head.end()) {
    if (!sdk::equalsIgnoreCase(trimmed(view(expect->value())), "100-continue")) {
      return RequestRefusal{417, "Expect \"" + std::string(view(expect->value())) + "\" is not supported"};
    }
  }
  return std::nullopt;
}

RequestRefusal refusalFor(const boost::system::error_code& failure, std::string_view unparsed, bool head_done,
                          std::size_t max_head_bytes, std::size_t body_limit, const std::string& body_setting) {
  using http::error;
  const auto& e = failure;
  if (e == error::header_limit) {
    return {431, (head_done ? "the trailer fields" : "the request line and headers") + std::string(" exceed ") +
                     std::to_string(max_head_bytes) + " bytes"};
  }
  if (e == error::body_limit) return bodyTooLarge(body_limit, body_setting);
  if (e == error::bad_version) {
    // Beast reads HTTP/1.x only; a later version is well-formed, just not ours.
    const auto line = unparsed.substr(0, unparsed.find("\r\n"));
    const auto version = line.substr(line.rfind(' ') + 1);
    if (version.starts_with("HTTP/") && version.size() > 5 && version[5] != '1') {
      return {505, "HTTP version \"" + std::string(version) + "\" is not supported; use HTTP/1.1"};
    }
    return {400, "malformed HTTP version"};
  }
  if (e == error::bad_method) return {400, "malformed request method"};
  if (e == error::bad_target) return {400, "malformed request target"};
  if (e == error::bad_field) return {400, head_done ? "malformed trailer field" : "malformed header line"};
  if (e == error::bad_value) {
    return {400, head_done ? "a trailer field holds a control character or is malformed"
                           : "a header value holds a control character or is malformed"};
  }
  if (e == error::bad_line_ending) return {400, "malformed line ending (a bare CR or LF)"};
  if (e == error::bad_obs_fold) return {400, "obsolete header line folding"};
  if (e == error::bad_content_length) {
    return {400, "malformed or conflicting Content-Length headers (or Content-Length beside Transfer-Encoding)"};
  }
  if (e == error::bad_transfer_encoding) {
    return {400, "more than one Transfer-Encoding header, or both Transfer-Encoding and Content-Length"};
  }
  if (e == error::bad_chunk) return {400, "malformed chunk size or chunk framing"};
  if (e == error::bad_chunk_extension) return {400, "a chunk size line holds a control character or a malformed extension"};
  return {400, "malformed request: " + failure.message()};
}

}  // namespace ccm::core
