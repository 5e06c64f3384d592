#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_message.hpp"
#include "http/http_stream.hpp"
#include "http/tls_settings.hpp"

namespace boost::asio::ssl {
class context;
}

namespace ccm::core {

class HttpConnection;
class HttpListener;
class HttpLoop;

// The answer to one request: send() it once, from any thread (copies share
// that once: a second send is ignored). Sending after the client went away
// (or the server stopped) does nothing.
class HttpResponder {
public:
  explicit HttpResponder(std::shared_ptr<HttpConnection> connection);
  void send(HttpResponse response) const;
  // Answers with `head` (status and headers; no body, no Content-Length) and
  // returns the stream that writes the body in pieces (http/http_stream.hpp).
  // Counts as the one send: a later send() is ignored. `max_pending` bounds
  // the bytes written but not yet taken by the client.
  std::shared_ptr<HttpStream> stream(HttpResponse head, std::size_t max_pending) const;

  // A responder that also shows the response to `observer` (on the sending
  // thread, before it goes out): for metrics and logs.
  using Observer = std::function<void(const HttpResponse& response)>;
  HttpResponder observed(Observer observer) const;

private:
  std::shared_ptr<HttpConnection> connection_;
  std::shared_ptr<const Observer> observer_;
  std::shared_ptr<std::atomic<bool>> sent_;
};

// The gateway's HTTP/1.1 server, on Boost.Beast and Boost.Asio (framing,
// chunked bodies and TLS are theirs; docs/api.md#http-server). A few I/O
// threads each run an io_context over their connections, so no thread waits
// on a client or on the work a request starts. Each complete request goes to
// `handler` on its I/O thread, which must not block: it answers at once or
// hands the request on (to a worker pool, to the ingress committer) and
// answers through the responder later. One request per connection is in hand
// at a time (pipelined requests wait, so responses keep their order).
// Keep-alive, Expect: 100-continue, head and body limits, timeouts, strict
// framing (http/request_checks.hpp) and graceful stop are handled here.
class HttpServer {
public:
  struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port
    int io_threads = 1;
    std::size_t max_head_bytes = 64 * 1024;
    std::size_t max_connections = 4096;
    std::chrono::milliseconds keep_alive_timeout{10000};  // idle between requests
    std::chrono::milliseconds request_timeout{60000};     // to receive a request (or the TLS handshake), or to write a response
    std::optional<TlsSettings> tls;                       // every connection is TLS when set
    // Told the status whenever the server answers a request by itself (it
    // could not be parsed, was too large, or too slow), and with 0 for a
    // connection closed at once because max_connections were open. Called
    // on an I/O thread: keep it quick.
    std::function<void(int status)> on_refused;
    // Told why a TLS handshake failed (handshakeFailureReason's labels).
    std::function<void(const std::string& reason)> on_tls_failure;
  };
  // The body limit of a request, asked once its head is read.
  using BodyLimitFor = std::function<BodyLimit(std::string_view method, std::string_view target)>;
  using Handler = std::function<void(HttpRequest request, HttpResponder responder)>;

  // Binds and listens (without SO_REUSEPORT, so a second server cannot share
  // the port); throws std::runtime_error naming the address on failure, or
  // the TLS setting and file (makeServerTlsContext) when TLS cannot be set up.
  HttpServer(Options options, BodyLimitFor body_limit, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  // Stops accepting (new connections are refused at once) and closes idle
  // connections; requests in hand or still arriving get until `grace` to be
  // answered (their responses close the connection), then everything is
  // closed. Returns how many requests were still unanswered.
  std::size_t stop(std::chrono::milliseconds grace);

  // A renewed certificate (makeServerTlsContext) for connections accepted
  // from now on; open connections keep the one they began with. Throws
  // std::logic_error when the server was built without TLS.
  void useTls(std::shared_ptr<boost::asio::ssl::context> context);

  std::uint16_t port() const { return port_; }
  // Open connections; the counter outlives the server (for metrics read late).
  std::shared_ptr<const std::atomic<std::size_t>> connectionCounter() const { return open_connections_; }

private:
  std::shared_ptr<std::atomic<std::size_t>> open_connections_;
  std::vector<std::shared_ptr<HttpLoop>> loops_;
  std::unique_ptr<HttpListener> listener_;
  std::uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace ccm::core
