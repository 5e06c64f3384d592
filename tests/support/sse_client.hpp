#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccm::testing {

// One Server-Sent Event as a client sees it.
struct SseEvent {
  std::string id;
  std::string event;
  std::string data;  // data lines joined with LF
};

// A GET to a text/event-stream on 127.0.0.1 over a plain socket, read as it
// arrives (chunked bodies decoded), so that a test sees each event when the
// server writes it, and can also stop reading to play a stalled client.
class SseClient {
public:
  // Connects and sends the request. `receive_buffer` > 0 sets SO_RCVBUF first
  // (a small window, for a client that stops reading).
  SseClient(std::uint16_t port, const std::string& target,
            const std::vector<std::pair<std::string, std::string>>& headers = {}, int receive_buffer = 0);
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  // The response's status once its head arrived (0 at the deadline).
  int status(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  const std::string& head() const { return head_; }
  // The body as far as it was read (decoded); for a refusal, its problem.
  const std::string& body() const { return body_; }
  // The next event (comments skipped); std::nullopt at the deadline or the end.
  std::optional<SseEvent> next(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  // Comments seen so far (": text" lines, without ": ").
  const std::vector<std::string>& comments() const { return comments_; }
  // Reads until the server ends the body and closes; false at the deadline.
  bool waitForEnd(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  // Whether the chunked body ended with its last chunk (a clean end).
  bool endedCleanly() const { return last_chunk_; }

private:
  bool readMore(std::chrono::steady_clock::time_point until);
  void decode();

  int fd_ = -1;
  std::string raw_;
  std::string head_;
  std::string body_;
  std::size_t consumed_ = 0;  // of body_, what next() has parsed
  std::vector<std::string> comments_;
  bool chunked_ = false;
  bool last_chunk_ = false;
  bool closed_ = false;
};

}  // namespace ccm::testing
