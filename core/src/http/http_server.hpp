#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/http_message.hpp"
#include "http/request_parser.hpp"

namespace ccm::core {

class HttpLoop;

// The answer to one request: send() it once, from any thread (copies share
// that once: a second send is ignored). Sending after the client went away
// (or the server stopped) does nothing.
class HttpResponder {
public:
  HttpResponder(std::shared_ptr<HttpLoop> loop, std::uint64_t connection, int minor_version, bool keep_alive,
                bool head);
  void send(HttpResponse response) const;

  // A responder that also shows the response to `observer` (on the sending
  // thread, before it goes out): for metrics and logs.
  using Observer = std::function<void(const HttpResponse& response)>;
  HttpResponder observed(Observer observer) const;

private:
  std::shared_ptr<HttpLoop> loop_;
  std::shared_ptr<const Observer> observer_;
  std::uint64_t connection_;
  int minor_version_;
  bool keep_alive_;
  bool head_;
  std::shared_ptr<std::atomic<bool>> sent_;
};

// An event-driven HTTP/1.1 server: a few threads each run an epoll loop over
// their connections, so no thread waits on a client or on the work a request
// starts. Each complete request goes to `handler` on its loop thread, which
// must not block: it answers at once or hands the request on (to a worker
// pool, to the ingress committer) and answers through the responder later.
// One request per connection is in hand at a time (pipelined requests wait,
// so responses keep their order). Keep-alive, chunked request bodies,
// Expect: 100-continue, head and body limits and timeouts are handled here.
class HttpServer {
public:
  struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port
    int io_threads = 1;
    std::size_t max_head_bytes = 64 * 1024;
    std::size_t max_connections = 4096;
    std::chrono::milliseconds keep_alive_timeout{10000};  // idle between requests
    std::chrono::milliseconds request_timeout{60000};     // to receive a request, or to write a response
    // Told the status whenever the server answers a request by itself (it
    // could not be parsed, was too large, or too slow), and with 0 for a
    // connection closed at once because max_connections were open. Called
    // on a loop thread: keep it quick.
    std::function<void(int status)> on_refused;
  };
  using Handler = std::function<void(HttpRequest request, HttpResponder responder)>;

  // Binds and listens (without SO_REUSEPORT, so a second server cannot share
  // the port); throws std::runtime_error naming the address on failure.
  HttpServer(Options options, RequestParser::BodyLimit body_limit, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  // Stops accepting and closes idle connections; requests in hand get until
  // `grace` to be answered (their responses close the connection), then
  // everything is closed. Returns how many requests were still unanswered.
  std::size_t stop(std::chrono::milliseconds grace);

  std::uint16_t port() const { return port_; }
  // Open connections; the counter outlives the server (for metrics read late).
  std::shared_ptr<const std::atomic<std::size_t>> connectionCounter() const { return open_connections_; }

private:
  Options options_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::shared_ptr<std::atomic<std::size_t>> open_connections_;
  std::vector<std::shared_ptr<HttpLoop>> loops_;
  bool stopped_ = false;
};

}  // namespace ccm::core
