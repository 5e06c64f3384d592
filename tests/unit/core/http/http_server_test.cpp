#include "http/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ccm::core {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A plain TCP client, so that tests see (and send) the exact bytes.
class RawConnection {
public:
  explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw std::runtime_error("connect");
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~RawConnection() { ::close(fd_); }

  void shutdownSending() { ::shutdown(fd_, SHUT_WR); }
  void send(const std::string& bytes) { ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size())); }

  // Reads until `count` responses ("\r\n\r\n" plus Content-Length bytes) or
  // the 100 Continue line have arrived, or the server closed; without their
  // Date headers (which change every second; DatesEveryResponse checks them).
  std::string readResponses(int count = 1) { return std::regex_replace(readRaw(count), std::regex("Date: [^\r]*\r\n"), ""); }

  std::string readRaw(int count = 1) {
    std::string out;
    int complete = 0;
    std::size_t at = 0;
    while (complete < count) {
      const auto head_end = out.find("\r\n\r\n", at);
      if (head_end != std::string::npos) {
        const auto length_at = out.find("Content-Length: ", at);
        std::size_t length = 0;
        if (length_at != std::string::npos && length_at < head_end) length = std::stoul(out.substr(length_at + 16));
        if (out.size() >= head_end + 4 + length) {
          at = head_end + 4 + length;
          ++complete;
          continue;
        }
      }
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }

  // Everything until the server closes, without Date headers.
  std::string readUntilClosed() {
    std::string out;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::recv(fd_, buffer, sizeof buffer, 0)) > 0) out.append(buffer, static_cast<std::size_t>(n));
    return std::regex_replace(out, std::regex("Date: [^\r]*\r\n"), "");
  }

  // True when the server closed the connection (recv sees the end) in time.
  bool closedByServer() {
    char buffer[4096];
    while (true) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

private:
  int fd_;
};

std::string exact(int status, const std::string& body, bool close = false) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n" + body;
}

class HttpServerTest : public ::testing::Test {
protected:
  void start(HttpServer::Handler handler, HttpServer::Options options = {}) {
    server_ = std::make_unique<HttpServer>(
        options, [](std::string_view, std::string_view) { return BodyLimit{64, "test.max_body"}; }, std::move(handler));
    server_->start();
  }
  // Answers "<method> <target> <body>" at once.
  static void echo(HttpRequest request, HttpResponder responder) {
    responder.send({200, {{"Content-Type", "text/plain"}}, request.method + " " + request.target + " " + request.body});
  }
  // A server whose handler keeps the one request's responder for the test
  // to answer; inHand() sends that request and waits for it to be in hand.
  void startKeepingTheResponder() {
    start([this](HttpRequest, HttpResponder responder) { kept_.set_value(responder); });
  }
  HttpResponder inHand(RawConnection& client, const std::string& target) {
    client.send("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
    return kept_.get_future().get();
  }
  std::promise<HttpResponder> kept_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, AnswersRequestsOnOneKeepAliveConnection) {
  start(echo);
  RawConnection client(server_->port());
  client.send("POST /one HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(client.readResponses(), exact(200, "POST /one abc"));
  client.send("GET /two HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(client.readResponses(), exact(200, "GET /two "));
  client.send("GET /three HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(client.readResponses(), exact(200, "GET /three ", true));
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpServerTest, DatesEveryResponse) {
  start(echo);
  RawConnection client(server_->port());
  client.send("GET /d HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_THAT(client.readRaw(), ::testing::MatchesRegex("HTTP/1\\.1 200 OK\r\nDate: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} "
                                                        "[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT\r\n(.|\r|\n)*"));
  client.send("BAD\r\n\r\n");
  EXPECT_THAT(client.readRaw(), HasSubstr(" GMT\r\n"));
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrderWhenTheFirstIsAnsweredLater) {
  std::promise<HttpResponder> first;
  std::atomic<int> seen{0};
  start([&](HttpRequest request, HttpResponder responder) {
    if (seen++ == 0) {
      first.set_value(responder);  // answered later, from another thread
      return;
    }
    echo(std::move(request), responder);
  });
  RawConnection client(server_->port());
  client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\n");
  auto responder = first.get_future().get();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(seen.load(), 1) << "the second request waits until the first is answered";
  std::thread([responder] { responder.send({200, {{"Content-Type", "text/plain"}}, "slow", false}); }).join();
  EXPECT_EQ(client.readResponses(2), exact(200, "slow") + exact(200, "GET /fast "));
}

TEST_F(HttpServerTest, AClientThatShutsItsSendingSideGetsEveryPipelinedRequestAnswered) {
  start(echo);
  RawConnection client(server_->port());
  client.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\nGET /3 HTTP/1.1\r\nHost: t\r\n\r\n");
  client.shutdownSending();
  EXPECT_EQ(client.readResponses(3), exact(200, "GET /1 ") + exact(200, "GET /2 ") + exact(200, "GET /3 "));
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpServerTest, SendsContinueBeforeTheBodyIsSent) {
  start(echo);
  RawConnection client(server_->port());
  client.send("POST /c HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  EXPECT_EQ(client.readResponses(), "HTTP/1.1 100 Continue\r\n\r\n");
  client.send("body");
  EXPECT_EQ(client.readResponses(), exact(200, "POST /c body"));
}

TEST_F(HttpServerTest, ABodyOverTheLimitIs413AndClosesWithoutWaitingForTheBody) {
  std::atomic<int> handled{0};
  start([&](HttpRequest, HttpResponder responder) {
    ++handled;
    responder.send({200, {}, "", false});
  });
  RawConnection client(server_->port());
  client.send("POST /big HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 65\r\n\r\n");
  const auto response = client.readResponses();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 413 Content Too Large\r\n"));
  EXPECT_THAT(response, HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(response, HasSubstr(R"x("detail":"request body exceeds test.max_body (64 bytes)")x"));
  EXPECT_TRUE(client.closedByServer());
  EXPECT_EQ(handled.load(), 0);
}

TEST_F(HttpServerTest, AMalformedRequestGetsAProblemAndTheConnectionCloses) {
  start(echo);
  RawConnection client(server_->port());
  client.send("NOT HTTP AT ALL\r\n\r\n");
  const auto response = client.readResponses();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\n"));
  EXPECT_THAT(response, HasSubstr(R"("status":400,"detail":"malformed HTTP version")"));
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpServerTest, IdleAndSlowConnectionsAreClosed) {
  HttpServer::Options options;
  options.keep_alive_timeout = 100ms;
  options.request_timeout = 300ms;
  start(echo, options);
  RawConnection idle(server_->port());
  idle.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(idle.readResponses(), exact(200, "GET /a "));
  RawConnection slow(server_->port());
  slow.send("GET /half-a-head HTTP/1.1\r\nHost: t\r\n");
  EXPECT_TRUE(idle.closedByServer());
  const auto response = slow.readResponses();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 408 Request Timeout\r\n"));
  EXPECT_THAT(response, HasSubstr("did not arrive within 300 ms"));
  EXPECT_TRUE(slow.closedByServer());
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitAreClosedAtOnce) {
  HttpServer::Options options;
  options.max_connections = 1;
  start(echo, options);
  RawConnection first(server_->port());
  first.send("GET /first HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(first.readResponses(), exact(200, "GET /first "));
  RawConnection second(server_->port());
  EXPECT_TRUE(second.closedByServer());
  first.send("GET /still HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(first.readResponses(), exact(200, "GET /still "));
}

TEST_F(HttpServerTest, StopAnswersRequestsInHandThenRefusesConnections) {
  startKeepingTheResponder();
  RawConnection client(server_->port());
  auto responder = inHand(client, "/in-hand");
  const auto port = server_->port();
  auto stopped = std::async(std::launch::async, [this] { return server_->stop(5s); });
  std::this_thread::sleep_for(100ms);
  EXPECT_THROW(RawConnection{port}, std::runtime_error) << "new connections are refused while stopping";
  responder.send({200, {{"Content-Type", "text/plain"}}, "done", false});
  EXPECT_EQ(client.readResponses(), exact(200, "done", true));
  EXPECT_EQ(stopped.get(), 0u);
}

TEST_F(HttpServerTest, StopCountsRequestsLeftUnansweredAtTheDeadline) {
  startKeepingTheResponder();
  RawConnection client(server_->port());
  auto responder = inHand(client, "/never");
  EXPECT_EQ(server_->stop(100ms), 1u);
  responder.send({200, {}, "late", false});  // after the loop ended: dropped, no crash
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpServerTest, AResponseForAClientThatLeftIsDropped) {
  std::promise<HttpResponder> kept;
  start([&](HttpRequest request, HttpResponder responder) {
    if (request.target == "/leave") return kept.set_value(responder);
    echo(std::move(request), responder);
  });
  {
    RawConnection leaving(server_->port());
    leaving.send("GET /leave HTTP/1.1\r\nHost: t\r\n\r\n");
    kept.get_future().get().send({200, {}, "nobody reads this", false});
  }
  RawConnection next(server_->port());
  next.send("GET /next HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(next.readResponses(), exact(200, "GET /next "));
}

TEST_F(HttpServerTest, ManyConnectionsOnSeveralLoopsAreAllAnswered) {
  HttpServer::Options options;
  options.io_threads = 3;
  start(echo, options);
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&, c] {
      RawConnection client(server_->port());
      for (int r = 0; r < 25; ++r) {
        const std::string target = "/" + std::to_string(c) + "-" + std::to_string(r);
        client.send("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
        if (client.readResponses() == exact(200, "GET " + target + " ")) ++answered;
      }
    });
  }
  for (auto& thread : clients) thread.join();
  EXPECT_EQ(answered.load(), 16 * 25);
}

TEST_F(HttpServerTest, AHandlerThatThrowsGetsA500) {
  start([](HttpRequest, HttpResponder) { throw std::runtime_error("handler broke"); });
  RawConnection client(server_->port());
  client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto response = client.readResponses();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 500 Internal Server Error\r\n"));
  EXPECT_THAT(response, HasSubstr("handler broke"));
}

TEST_F(HttpServerTest, AHandlerThatAnswersAndThenThrowsSendsOneResponse) {
  start([](HttpRequest request, HttpResponder responder) {
    echo(std::move(request), responder);
    throw std::runtime_error("after the answer");
  });
  RawConnection client(server_->port());
  client.send("GET /once HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(client.readResponses(), exact(200, "GET /once "));
  client.send("GET /again HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(client.readResponses(), exact(200, "GET /again ")) << "no stray 500 came between the two";
}

struct BadRequest {
  std::string wire;
  int status;
  std::string detail;
};

class HttpServerRefuses : public HttpServerTest, public ::testing::WithParamInterface<BadRequest> {};

TEST_P(HttpServerRefuses, WithTheStatusAndReasonThenCloses) {
  std::atomic<int> handled{0};
  start([&](HttpRequest request, HttpResponder responder) {
    ++handled;
    echo(std::move(request), responder);
  });
  RawConnection client(server_->port());
  client.send(GetParam().wire);
  const auto response = client.readResponses();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 " + std::to_string(GetParam().status) + " "));
  EXPECT_THAT(response, HasSubstr("Content-Type: application/problem+json\r\n"));
  EXPECT_THAT(response, HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(response, HasSubstr(GetParam().detail));
  EXPECT_TRUE(client.closedByServer());
  EXPECT_EQ(handled.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Framing, HttpServerRefuses,
    ::testing::Values(BadRequest{"GET /\r\n\r\n", 400, "malformed"},
                      BadRequest{"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505, "HTTP/2.0"},
                      BadRequest{"GET / FTP/1.0\r\n\r\n", 400, "malformed HTTP version"},
                      BadRequest{"G(T / HTTP/1.1\r\nHost: t\r\n\r\n", 400, "method"},
                      BadRequest{"GET / HTTP/1.1\r\nHost: t\r\nNo colon\r\n\r\n", 400, "malformed header line"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400,
                                 "conflicting Content-Length"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                                 400, "both Transfer-Encoding and Content-Length"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
                                 400, "Content-Length beside Transfer-Encoding"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "gzip"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 501, "gzip"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nExpect: magic\r\n\r\n", 417, "magic"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "chunk size"},
                      // Framing another parser (a proxy in front) could read differently.
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n", 400,
                                 "conflicting"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nX: a\nContent-Length: 5\r\n\r\n", 400, "control character"},
                      BadRequest{std::string("GET / HTTP/1.1\r\nHost: t\r\nX: a\0b\r\n\r\n", 35), 400, "control character"},
                      BadRequest{"GET /a\x01" "b HTTP/1.1\r\nHost: t\r\n\r\n", 400, "request target"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n",
                                 400, "more than one Transfer-Encoding"},
                      BadRequest{"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "HTTP/1.0"},
                      BadRequest{"GET / HTTP/1.1\r\n\r\n", 400, "Host"},
                      BadRequest{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3;a\nb\r\nabc\r\n", 400,
                                 "chunk size line holds a control character"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\nZ\r\n\r\n", 400,
                                 "trailer field holds a control character"},
                      BadRequest{"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(70000, 'a') + "\r\n\r\n", 431,
                                 "exceed 65536 bytes"},
                      BadRequest{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" +
                                     std::string(64, 'a') + "\r\n1\r\n",
                                 413, "request body exceeds test.max_body (64 bytes)"}));

TEST_F(HttpServerTest, ReadsARequestThatArrivesByteByByte) {
  start(echo);
  RawConnection client(server_->port());
  const std::string wire = "POST /api/v1/events?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
  for (char c : wire) client.send(std::string(1, c));
  EXPECT_EQ(client.readResponses(), exact(200, "POST /api/v1/events?x=1 hello"));
}

TEST_F(HttpServerTest, IgnoresEmptyLinesBeforeARequest) {
  start(echo);
  RawConnection client(server_->port());
  client.send("\r\n\r\nGET /after-blank-lines HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(client.readResponses(), exact(200, "GET /after-blank-lines "));
}

TEST_F(HttpServerTest, DecodesAChunkedBodyAndDropsItsTrailers) {
  HttpRequest seen;
  start([&](HttpRequest request, HttpResponder responder) {
    seen = request;
    echo(std::move(request), responder);
  });
  RawConnection client(server_->port());
  client.send("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n7\r\n, world\r\n"
              "0\r\nX-Trailer: t\r\n\r\n");
  EXPECT_EQ(client.readResponses(), exact(200, "POST /x hello, world"));
  EXPECT_EQ(seen.header("X-Trailer"), nullptr);
  ASSERT_NE(seen.header("transfer-encoding"), nullptr);
}

TEST_F(HttpServerTest, HandsOnHeadersVersionAndKeepAlive) {
  HttpRequest seen;
  start([&](HttpRequest request, HttpResponder responder) {
    seen = request;
    echo(std::move(request), responder);
  });
  RawConnection client(server_->port());
  client.send("GET /old HTTP/1.0\r\nX-Custom:  spaced value \r\nConnection: keep-alive\r\n\r\n");
  EXPECT_THAT(client.readResponses(), StartsWith("HTTP/1.0 200 OK\r\n"));
  EXPECT_EQ(seen.minor_version, 0);
  EXPECT_TRUE(seen.keep_alive);
  ASSERT_NE(seen.header("x-custom"), nullptr);
  EXPECT_EQ(*seen.header("x-custom"), "spaced value");
  EXPECT_EQ(seen.client_subject, "");
  client.send("GET /close HTTP/1.0\r\n\r\n");
  EXPECT_THAT(client.readResponses(), StartsWith("HTTP/1.0 200 OK\r\n"));
  EXPECT_FALSE(seen.keep_alive);
  EXPECT_TRUE(client.closedByServer());
}

TEST_F(HttpServerTest, AnHttp10ClientIsNotSent100Continue) {
  start(echo);
  RawConnection client(server_->port());
  client.send("POST /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  std::this_thread::sleep_for(50ms);
  client.send("abc");
  EXPECT_THAT(client.readResponses(), StartsWith("HTTP/1.0 200 OK\r\n"));
}

TEST_F(HttpServerTest, AsksForTheBodyLimitWithTheHead) {
  std::string seen;
  server_ = std::make_unique<HttpServer>(
      HttpServer::Options{},
      [&seen](std::string_view method, std::string_view target) {
        seen = std::string(method) + " " + std::string(target);
        return BodyLimit{1, {}};
      },
      echo);
  server_->start();
  RawConnection client(server_->port());
  client.send("PUT /limited HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n");
  EXPECT_THAT(client.readResponses(), HasSubstr("request body exceeds 1 bytes"));
  EXPECT_EQ(seen, "PUT /limited");
}

TEST_F(HttpServerTest, HeadAnswersCarryTheLengthButNoBody) {
  start(echo);
  RawConnection client(server_->port());
  client.send("HEAD /h HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  // Read to the close: a body after the head would show.
  EXPECT_EQ(std::regex_replace(client.readRaw(2), std::regex("Date: [^\r]*\r\n"), ""),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\nConnection: close\r\n\r\n");
}

// Many one-byte chunks once cost time quadratic in their number, on the
// loop, so that every other connection on it waited.
TEST_F(HttpServerTest, AFloodOfTinyChunksDoesNotHoldUpOtherConnections) {
  constexpr int kChunks = 200000;
  HttpServer::Options options;
  options.io_threads = 1;
  server_ = std::make_unique<HttpServer>(
      options, [](std::string_view, std::string_view) { return BodyLimit{1 << 20, {}}; },
      [](HttpRequest request, HttpResponder responder) {
        responder.send({200, {{"Content-Type", "text/plain"}}, std::to_string(request.body.size()), false});
      });
  server_->start();
  RawConnection flood(server_->port());
  flood.send("POST /flood HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string piece;
  for (int i = 0; i < 1000; ++i) piece += "1\r\nx\r\n";
  for (int sent = 0; sent < kChunks / 2; sent += 1000) flood.send(piece);
  RawConnection other(server_->port());
  other.send("GET /meanwhile HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(other.readResponses(), exact(200, "0")) << "answered while the flood's body is still arriving";
  for (int sent = kChunks / 2; sent < kChunks; sent += 1000) flood.send(piece);
  flood.send("0\r\n\r\n");
  EXPECT_EQ(flood.readResponses(), exact(200, std::to_string(kChunks)));
}

TEST(HttpServerListen, AHostNameListensOnItsIpv4AddressFirst) {
  HttpServer::Options options;
  options.host = "localhost";
  HttpServer server(options, [](std::string_view, std::string_view) { return BodyLimit{1, {}}; },
                    [](HttpRequest, HttpResponder responder) { responder.send({204, {}, "", false}); });
  server.start();
  RawConnection client(server.port());  // 127.0.0.1
  client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_THAT(client.readResponses(), StartsWith("HTTP/1.1 204 No Content\r\n"));
}

TEST(HttpServerListen, NamesTheAddressItCannotListenOn) {
  HttpServer::Options options;
  HttpServer first(options, [](std::string_view, std::string_view) { return BodyLimit{1, {}}; }, [](auto, auto) {});
  options.port = first.port();
  try {
    HttpServer second(options, [](std::string_view, std::string_view) { return BodyLimit{1, {}}; }, [](auto, auto) {});
    FAIL() << "a second server listened on the same port";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(options.port)));
    EXPECT_THAT(e.what(), HasSubstr("in use"));
  }
}

}  // namespace
}  // namespace ccm::core

namespace ccm::core {
namespace {

HttpResponse eventStreamHead() { return {200, {{"Content-Type", "text/event-stream"}}, {}, false}; }

TEST_F(HttpServerTest, AStreamedResponseGoesOutInChunksAndEndsWithTheLastChunk) {
  startKeepingTheResponder();
  RawConnection client(server_->port());
  auto stream = inHand(client, "/stream").stream(eventStreamHead(), 1024);
  EXPECT_TRUE(stream->write("hello"));
  EXPECT_TRUE(stream->write(""));  // nothing: an empty chunk would end the body
  EXPECT_TRUE(stream->write("world!"));
  stream->end();
  EXPECT_FALSE(stream->write("late"));
  EXPECT_EQ(client.readUntilClosed(),
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n");
}

TEST_F(HttpServerTest, AStreamToAnHttp10ClientEndsWhenTheConnectionCloses) {
  startKeepingTheResponder();
  RawConnection client(server_->port());
  client.send("GET /stream HTTP/1.0\r\n\r\n");
  auto stream = kept_.get_future().get().stream(eventStreamHead(), 1024);
  stream->write("hello");
  stream->end();
  EXPECT_EQ(client.readUntilClosed(), "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\nhello");
}

TEST_F(HttpServerTest, AStreamIsTheOneAnswer) {
  startKeepingTheResponder();
  RawConnection client(server_->port());
  auto responder = inHand(client, "/stream");
  responder.send({204, {}, {}, false});
  EXPECT_FALSE(responder.stream(eventStreamHead(), 1024)->open());
}

TEST_F(HttpServerTest, StopEndsOpenStreamsWithTheirLastChunk) {
  startKeepingTheResponder();
  RawConnection client(server_->port());
  auto stream = inHand(client, "/stream").stream(eventStreamHead(), 1024);
  stream->write("event");
  auto stopped = std::async(std::launch::async, [this] { return server_->stop(5s); });
  EXPECT_THAT(client.readUntilClosed(), ::testing::EndsWith("5\r\nevent\r\n0\r\n\r\n"));
  EXPECT_EQ(stopped.get(), 0u) << "a stream is not an unanswered request";
  EXPECT_FALSE(stream->open());
}

}  // namespace
}  // namespace ccm::core
