#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

namespace ccm::core {

class HttpConnection;

// What a streamed response and its connection share. The connection owns
// the socket; the stream's writer only queues bytes (docs/api.md#event-stream).
struct HttpStreamState {
  explicit HttpStreamState(std::size_t max_pending) : max_pending(max_pending) {}
  const std::size_t max_pending;
  std::atomic<std::size_t> pending{0};  // accepted by write(), not yet taken by the client's socket
  std::atomic<bool> closed{false};      // the connection is gone or going
  std::atomic<bool> too_slow{false};    // closed because the client did not read
};

// A response written in pieces for as long as both sides want it (Server-Sent
// Events): made by HttpResponder::stream(), which sends its head. Any thread
// may write; the bytes go out in order on the connection's loop thread, in
// chunked transfer coding (HTTP/1.1) or until the connection closes (1.0).
// Holding a stream does not hold a thread: writing only queues.
class HttpStream {
public:
  HttpStream(std::shared_ptr<HttpConnection> connection, std::shared_ptr<HttpStreamState> state);

  // Queues `bytes`; false (and nothing queued) once the stream has ended.
  // When bytes still wait for the client and these would take them past the
  // stream's limit, the client is too slow: the connection is closed
  // instead, so a reader that stalls never makes the server buffer without bound.
  bool write(std::string bytes);
  // Ends the response (the last chunk) and then the connection.
  void end();

  bool open() const { return !state_->closed.load(); }
  // Ended because the client did not take the bytes (the limit, or a write
  // that made no progress within the server's request timeout).
  bool tooSlow() const { return state_->too_slow.load(); }
  std::size_t pending() const { return state_->pending.load(); }
  std::size_t maxPending() const { return state_->max_pending; }

private:
  std::shared_ptr<HttpConnection> connection_;
  std::shared_ptr<HttpStreamState> state_;
};

}  // namespace ccm::core
