// The cost of a chunked body made of many one-byte chunks, printed as
// figures (not a timed test): for each size, how long the server takes to
// read the whole body (it should grow linearly), and how long a request on
// another connection waits meanwhile on the same I/O thread.
//
//   build/tests/bench/chunk_flood_bench
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include "http/http_server.hpp"

namespace {

using Clock = std::chrono::steady_clock;

int connectTo(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw std::runtime_error("connect");
  return fd;
}

void sendAll(int fd, const std::string& bytes) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send");
    sent += static_cast<std::size_t>(n);
  }
}

// Reads until a response head has arrived.
void awaitResponse(int fd) {
  std::string in;
  char buffer[4096];
  while (in.find("\r\n\r\n") == std::string::npos) {
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) throw std::runtime_error("recv");
    in.append(buffer, static_cast<std::size_t>(n));
  }
}

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main() {
  ccm::core::HttpServer::Options options;
  options.io_threads = 1;
  ccm::core::HttpServer server(
      options, [](std::string_view, std::string_view) { return ccm::core::BodyLimit{8 << 20, {}}; },
      [](ccm::core::HttpRequest request, ccm::core::HttpResponder responder) {
        responder.send({200, {}, std::to_string(request.body.size()), false});
      });
  server.start();
  std::printf("%10s %12s %14s %22s\n", "chunks", "wire bytes", "body read ms", "other request ms");
  for (const int chunks : {50000, 100000, 200000, 400000, 800000}) {
    std::string body;
    body.reserve(static_cast<std::size_t>(chunks) * 6 + 5);
    for (int i = 0; i < chunks; ++i) body += "1\r\nx\r\n";
    body += "0\r\n\r\n";
    const int flood = connectTo(server.port());
    sendAll(flood, "POST /flood HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n");
    // Another connection asks while the flood streams in.
    auto other = std::async(std::launch::async, [&server] {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      const int fd = connectTo(server.port());
      const auto start = Clock::now();
      sendAll(fd, "GET /meanwhile HTTP/1.1\r\nHost: b\r\n\r\n");
      awaitResponse(fd);
      ::close(fd);
      return millisecondsSince(start);
    });
    const auto start = Clock::now();
    sendAll(flood, body);
    awaitResponse(flood);
    const double flood_ms = millisecondsSince(start);
    ::close(flood);
    std::printf("%10d %12zu %14.1f %22.2f\n", chunks, body.size(), flood_ms, other.get());
  }
  server.stop(std::chrono::milliseconds(1000));
  return 0;
}
