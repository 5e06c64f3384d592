#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <cstdint>
#include <utility>
#include <variant>
#include <vector>

// HTTP/1.1 messages as the server (http/http_server.hpp) hands them to
// handlers and takes their answers: whole, with the body in memory. Framing
// (reading and writing the bytes) is Boost.Beast's.
namespace ccm::core {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;     // as sent: path, then "?query" when there is one
  int minor_version = 1;  // HTTP/1.<minor_version>
  HttpHeaders headers;    // in arrival order, names as sent
  std::string body;       // decoded when it came chunked
  // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
  bool keep_alive = true;
  // The subject (RFC 2253, "CN=client,O=Labs") of the client certificate the
  // TLS handshake verified; empty without one.
  std::string client_subject;

  // The first header of that name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  std::string_view path() const;
};

// The largest body a route takes, and the setting that says so (named in the
// 413, e.g. "ingress.max_body_bytes"; may be empty).
struct BodyLimit {
  std::size_t bytes;
  std::string setting;
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  bool close = false;  // close the connection after this response
};

// "OK", "Not Found", ...; "" for a status it does not know.
const char* reasonPhrase(int status);

// Appends the response's bytes to `out`: status line, Date (when `date` is
// not empty), the headers with Content-Length (none in a 204) and
// Connection when it differs from the version's default, then the body
// unless the request was HEAD. Requests are Beast's to parse; responses carry
// only our own bytes and are written from one buffer, which costs a tenth of
// what building Beast's message did (docs/ingress.md#performance). A header
// whose name or value holds CR, LF or NUL is left out rather than let split
// the response.
void serializeResponse(const HttpResponse& response, int minor_version, bool keep_alive, bool head,
                       std::string_view date, std::string& out);

// Appends the head of a response whose body follows in pieces of unknown
// total size: chunked transfer coding on HTTP/1.1, and the connection closes
// after it (on HTTP/1.0 that close ends the body).
void serializeStreamHead(const HttpResponse& head, int minor_version, std::string_view date, std::string& out);
// Appends `bytes` as one chunk (RFC 9112 7.1); nothing when they are empty.
void appendChunk(std::string_view bytes, std::string& out);

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

// `text` without the spaces and tabs around it (RFC 9110 5.6.3 OWS).
std::string_view trimOws(std::string_view text);
// The credential of an Authorization value in the Bearer scheme (RFC 6750
// 2.1: the scheme name is case-insensitive), without the whitespace around
// it; std::nullopt for another scheme.
std::optional<std::string_view> bearerCredential(std::string_view authorization);

}  // namespace ccm::core
