#include "sse_client.hpp"

#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include "loopback_port.hpp"

namespace ccm::testing {

SseClient::SseClient(std::uint16_t port, const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers, int receive_buffer) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in address = loopbackAddress(port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    throw std::runtime_error("cannot send the request");
  }
}

SseClient::~SseClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool SseClient::readMore(std::chrono::steady_clock::time_point until) {
  if (closed_) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buffer[16384];
  const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  raw_.append(buffer, static_cast<std::size_t>(n));
  decode();
  return true;
}

void SseClient::decode() {
  if (head_.empty()) {
    const auto end = raw_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    head_ = raw_.substr(0, end + 4);
    raw_.erase(0, end + 4);
    std::string lower = head_;
    for (char& c : lower) c = static_cast<char>(::tolower(static_cast<unsigned char>(c)));
    chunked_ = lower.find("transfer-encoding: chunked") != std::string::npos;
  }
  if (!chunked_) {
    body_ += raw_;
    raw_.clear();
    return;
  }
  while (!last_chunk_) {
    const auto line_end = raw_.find("\r\n");
    if (line_end == std::string::npos) return;
    const auto size = std::stoul(raw_.substr(0, line_end), nullptr, 16);
    if (raw_.size() < line_end + 2 + size + 2) return;
    body_ += raw_.substr(line_end + 2, size);
    raw_.erase(0, line_end + 2 + size + 2);
    if (size == 0) last_chunk_ = true;
  }
}

int SseClient::status(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (head_.empty() && readMore(until)) {
  }
  if (head_.size() < 12) return 0;
  return std::stoi(head_.substr(9, 3));
}

std::optional<SseEvent> SseClient::next(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (true) {
    const auto end = body_.find("\n\n", consumed_);
    if (end != std::string::npos) {
      const auto block = body_.substr(consumed_, end - consumed_);
      consumed_ = end + 2;
      SseEvent event;
      bool any = false;
      std::size_t start = 0;
      while (start <= block.size()) {
        auto stop = block.find('\n', start);
        if (stop == std::string::npos) stop = block.size();
        const auto line = block.substr(start, stop - start);
        start = stop + 1;
        if (line.starts_with(": "))
          comments_.push_back(line.substr(2));
        else if (line.starts_with("id: "))
          event.id = line.substr(4), any = true;
        else if (line.starts_with("event: "))
          event.event = line.substr(7), any = true;
        else if (line.starts_with("data: "))
          event.data += (event.data.empty() ? "" : "\n") + line.substr(6), any = true;
      }
      if (any && !event.data.empty()) return event;
      continue;
    }
    if (!readMore(until)) return std::nullopt;
  }
}

bool SseClient::waitForEnd(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!closed_) {
    if (!readMore(until) && !closed_) return false;
  }
  return true;
}

}  // namespace ccm::testing
