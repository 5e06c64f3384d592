#pragma once

#include <string>
#include <string_view>
#include <cstdint>
#include <utility>
#include <variant>
#include <vector>

// HTTP/1.1 messages as the event-driven server (http/http_server.hpp) reads
// and writes them: whole, with the body in memory.
namespace ccm::core {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;     // as sent: path, then "?query" when there is one
  int minor_version = 1;  // HTTP/1.<minor_version>
  HttpHeaders headers;    // in arrival order, names as sent
  std::string body;       // decoded when it came chunked

  // The first header of that name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
  bool keepAlive() const;
  std::string_view path() const;
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  bool close = false;  // close the connection after this response
};

// "OK", "Not Found", ...; "" for a status it does not know.
const char* reasonPhrase(int status);

// The response's bytes: status line, Date (when `date` is not empty), the
// headers with Content-Length (and Connection when it differs from the
// version's default), then the body unless the request was HEAD.
std::string serializeResponse(const HttpResponse& response, int minor_version, bool keep_alive, bool head,
                              std::string_view date = {});

// Now as an HTTP date (RFC 9110 5.6.7), "Sun, 06 Nov 1994 08:49:37 GMT";
// formatted once a second per thread.
std::string_view httpDate();

// An extension member of a problem details body, e.g. "pointer": "/data/x".
struct ProblemMember {
  std::string_view name;
  std::variant<std::string_view, std::uint64_t> value;
};

// An RFC 9457 problem details body: {"type":"about:blank","title","status",
// "detail"}, then the extension members in order.
std::string problemJson(int status, std::string_view title, std::string_view detail,
                        const std::vector<ProblemMember>& extensions = {});
// A response carrying that body (application/problem+json), titled by the
// status's reason phrase.
HttpResponse problemResponse(int status, std::string_view detail, const std::vector<ProblemMember>& extensions = {});

bool equalsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace ccm::core
