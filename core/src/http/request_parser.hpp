#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "http/http_message.hpp"

namespace ccm::core {

// Reads HTTP/1.1 requests out of a connection's input, as it arrives: a
// request line and headers of at most max_head_bytes, then a body framed by
// Content-Length or chunked transfer coding, of at most the limit the server
// sets for that request (body_limit, asked once the head is read). Bytes
// after a complete request stay in the input (pipelining).
class RequestParser {
public:
  struct Limit {
    std::size_t bytes;
    std::string setting;  // named in the 413 ("ingress.max_body_bytes"); may be empty
  };
  using BodyLimit = std::function<Limit(const HttpRequest& head)>;

  struct Failure {
    int status;  // 400, 413, 431, 501 or 505
    std::string detail;
  };

  RequestParser(std::size_t max_head_bytes, BodyLimit body_limit);

  enum class Progress { NeedMore, Complete, Failed };
  // Consumes what it can of `input` (it erases what it used). Complete: take()
  // the request; Failed: failure() says why, and the connection cannot be
  // read further (its framing is lost).
  Progress parse(std::string& input);

  HttpRequest take();
  const Failure& failure() const { return *failure_; }
  // The head is read, the body is not complete yet, and the client asked
  // "Expect: 100-continue".
  bool awaitsContinue() const { return state_ != State::Head && expect_continue_; }
  // Some of a request has arrived (for the read timeout).
  bool started() const { return state_ != State::Head || head_scanned_ > 0; }

private:
  enum class State { Head, FixedBody, ChunkSize, ChunkData, Trailers, Done };
  Progress fail(int status, std::string detail);
  Progress tooLarge();
  Progress parseHead(std::string& input);
  Progress parseChunked(std::string& input);

  std::size_t max_head_bytes_;
  BodyLimit body_limit_;
  State state_ = State::Head;
  std::size_t head_scanned_ = 0;  // bytes of input searched for the end of the head
  HttpRequest request_;
  Limit limit_{0, {}};
  std::size_t remaining_ = 0;  // of the fixed body or the current chunk
  bool expect_continue_ = false;
  std::optional<Failure> failure_;
};

}  // namespace ccm::core
