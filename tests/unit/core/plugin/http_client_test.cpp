#include "plugin/http_client.hpp"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

#include "fakes/cloudevents_receiver.hpp"

namespace ccm::core {
namespace {

TEST(PooledHttpClient, SendsTheRequestTargetAsWrittenKeepingEncodedSlashes) {
  fakes::CloudEventsReceiver receiver;
  PooledHttpClient client({});
  auto reply = client.send({"POST", receiver.url("/sessions/a%2Fb/parts/p%20q?x=1%2F2#fragment"), {}, "{}"});
  ASSERT_TRUE(reply) << reply.error().message;
  ASSERT_TRUE(receiver.waitForRequests(1));
  EXPECT_EQ(receiver.requests()[0].target, "/sessions/a%2Fb/parts/p%20q?x=1%2F2");
}

TEST(PooledHttpClient, AUrlWithoutPathTargetsTheRoot) {
  fakes::CloudEventsReceiver receiver;
  PooledHttpClient client({});
  std::string url = receiver.url("/");
  url.pop_back();
  ASSERT_TRUE(client.send({"POST", url, {}, "{}"}));
  ASSERT_TRUE(receiver.waitForRequests(1));
  EXPECT_EQ(receiver.requests()[0].target, "/");
}

TEST(PooledHttpClient, ConnectionRefusedIsAConnectError) {
  std::uint16_t port;
  {
    fakes::CloudEventsReceiver closed;
    port = closed.port();
  }
  PooledHttpClient client({});
  auto reply = client.send({"POST", "http://127.0.0.1:" + std::to_string(port) + "/", {}, "{}"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().where, "connect");
}

// Answers each connection's first request with `response` written as it is
// (the framing under test: a declared length, chunks, or none), then closes.
class RawHttpServer {
public:
  explicit RawHttpServer(std::string response)
      : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)), response_(std::move(response)), thread_([this] { run(); }) {}
  ~RawHttpServer() {
    stop_ = true;
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + "/"; }

private:
  void run() {
    while (!stop_) {
      if (!socket_.poll(Poco::Timespan(0, 50'000), Poco::Net::Socket::SELECT_READ)) continue;
      Poco::Net::StreamSocket connection = socket_.acceptConnection();
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const int got = connection.receiveBytes(buffer, sizeof buffer);
        if (got <= 0) break;
        request.append(buffer, static_cast<std::size_t>(got));
      }
      try {
        connection.sendBytes(response_.data(), static_cast<int>(response_.size()));
      } catch (const Poco::Exception&) {
        // The client may close as soon as it has read enough to refuse.
      }
      connection.close();
    }
  }

  Poco::Net::ServerSocket socket_;
  std::string response_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string chunked(const std::string& body) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); i += 1000) {
    const std::string piece = body.substr(i, 1000);
    char size[16];
    std::snprintf(size, sizeof size, "%zx", piece.size());
    out += std::string(size) + "\r\n" + piece + "\r\n";
  }
  return out + "0\r\n\r\n";
}

sdk::HttpClientOptions limitedTo(std::size_t bytes) {
  sdk::HttpClientOptions options;
  options.max_response_bytes = bytes;
  return options;
}

TEST(PooledHttpClient, ABodyAtTheLimitIsReadWhole) {
  const std::string body(4096, 'x');
  RawHttpServer server("HTTP/1.1 200 OK\r\nContent-Length: 4096\r\nConnection: close\r\n\r\n" + body);
  PooledHttpClient client(limitedTo(4096));
  auto reply = client.send({"POST", server.url(), {}, "{}"});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply.value().body, body);
}

TEST(PooledHttpClient, ADeclaredLengthOverTheLimitIsRefusedUnread) {
  RawHttpServer server("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4097\r\n\r\n" + std::string(4097, 'x'));
  PooledHttpClient client(limitedTo(4096));
  auto reply = client.send({"POST", server.url(), {}, "{}"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().where, "protocol");
  EXPECT_EQ(reply.error().message, "the response body is longer than 4096 bytes (HTTP 503)");
}

TEST(PooledHttpClient, AChunkedOrUndelimitedBodyOverTheLimitIsRefused) {
  for (const std::string& framing : {"Transfer-Encoding: chunked\r\n\r\n" + chunked(std::string(100'000, 'y')),
                                     "Connection: close\r\n\r\n" + std::string(100'000, 'y')}) {
    RawHttpServer server("HTTP/1.1 200 OK\r\n" + framing);
    PooledHttpClient client(limitedTo(50'000));
    auto reply = client.send({"POST", server.url(), {}, "{}"});
    ASSERT_FALSE(reply) << framing.substr(0, 30);
    EXPECT_EQ(reply.error().message, "the response body is longer than 50000 bytes (HTTP 200)");
  }
  // Within the limit, the same framings read whole.
  for (const std::string& framing : {"Transfer-Encoding: chunked\r\n\r\n" + chunked(std::string(10'000, 'y')),
                                     "Connection: close\r\n\r\n" + std::string(10'000, 'y')}) {
    RawHttpServer server("HTTP/1.1 200 OK\r\n" + framing);
    PooledHttpClient client(limitedTo(50'000));
    auto reply = client.send({"POST", server.url(), {}, "{}"});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply.value().body, std::string(10'000, 'y'));
  }
}

}  // namespace
}  // namespace ccm::core
