#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

namespace ccm::core {

// Why the server answers a request itself instead of handing it on: the
// status (400, 408, 413, 417, 431, 501 or 505) and a detail for the problem body.
struct RequestRefusal {
  int status;
  std::string detail;
};

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Beast's parser frames requests; these checks add what it leaves to the
// server. A head it accepted is refused when another parser in front of us
// (a proxy) could read it differently, or when it asks for what we do not
// do: an HTTP/1.1 request without exactly one Host, Transfer-Encoding other
// than "chunked" or on HTTP/1.0, an Expect other than 100-continue.
std::optional<RequestRefusal> checkHead(const BeastRequest& head);

// The refusal for a parse error Beast reported. `unparsed` is the input it
// could not take (to tell an unsupported HTTP version from a malformed
// one); `max_head_bytes` and `body_limit`/`body_setting` are named in 431 and 413.
RequestRefusal refusalFor(const boost::system::error_code& error, std::string_view unparsed, bool head_done,
                          std::size_t max_head_bytes, std::size_t body_limit, const std::string& body_setting);

// The 413 for a body over `limit` bytes, naming `setting` when there is one.
RequestRefusal bodyTooLarge(std::size_t limit, const std::string& setting);

}  // namespace ccm::core
