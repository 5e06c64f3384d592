#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fakes/cloudevents_receiver.hpp"
#include "http_sink_test_support.hpp"

namespace ccm::sinks::http {
namespace {

using namespace std::chrono_literals;
using fakes::Reply;
using sdk::Outcome;
using testing::makeEvents;

class HttpSinkTransport : public testing::HttpSinkFixture {
protected:
  std::unique_ptr<HttpSink> sinkFor(const std::string& extra = "") {
    return makeSink(R"({"url":")" + receiver_.url() + "\"" + (extra.empty() ? "" : "," + extra) + "}");
  }

  fakes::CloudEventsReceiver receiver_;
};

// A loopback port nothing listens on: bound by the OS, then released.
std::uint16_t closedPort() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  const std::uint16_t port = socket.address().port();
  socket.close();
  return port;
}

TEST_F(HttpSinkTransport, ConnectionRefusedIsRetryable) {
  auto sink = makeSink(R"({"url":"http://127.0.0.1:)" + std::to_string(closedPort()) + R"(/"})");
  const auto outcomes = sink->deliver(makeEvents(2));
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable);
  EXPECT_NE(outcomes[0].message.find("cannot connect"), std::string::npos) << outcomes[0].message;
  EXPECT_EQ(outcomes[1].message, "not attempted: an earlier event of this batch failed");
  EXPECT_EQ(host_.metricValue("http_sink_requests_total", {{"status", "connect"}}), 1);
}

TEST_F(HttpSinkTransport, ReceiverSlowerThanTimeoutIsRetryableAndTimedOut) {
  receiver_.script(Reply{.status = 200, .delay = 30s});
  auto sink = sinkFor(R"("timeout_ms":200)");
  const auto outcomes = sink->deliver(makeEvents(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable);
  EXPECT_NE(outcomes[0].message.find("timed out"), std::string::npos) << outcomes[0].message;
  EXPECT_EQ(host_.metricValue("http_sink_requests_total", {{"status", "timeout"}}), 1);
}

TEST_F(HttpSinkTransport, ConnectionResetWithoutAResponseIsRetryable) {
  receiver_.script(Reply{.drop_connection = true});
  const auto outcomes = sinkFor()->deliver(makeEvents(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable) << outcomes[0].message;
  EXPECT_EQ(receiver_.requests().size(), 1u);
}

TEST_F(HttpSinkTransport, KeepAliveSendsSeveralRequestsOverOneConnection) {
  auto sink = sinkFor();
  for (int round = 0; round < 3; ++round) {
    for (const auto& outcome : sink->deliver(makeEvents(2))) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered);
  }
  const auto requests = receiver_.requests();
  ASSERT_EQ(requests.size(), 6u);
  EXPECT_EQ(receiver_.acceptedConnections(), 1);
  for (const auto& request : requests) EXPECT_EQ(request.peer, requests[0].peer);
}

TEST_F(HttpSinkTransport, MaxConnectionsZeroOpensAConnectionPerRequest) {
  auto sink = sinkFor(R"("max_connections":0)");
  for (const auto& outcome : sink->deliver(makeEvents(3))) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered);
  ASSERT_TRUE(receiver_.waitForRequests(3));
  EXPECT_EQ(receiver_.acceptedConnections(), 3);
}

TEST_F(HttpSinkTransport, ConcurrentDeliveriesAllArrive) {
  auto sink = sinkFor(R"("mode":"structured")");
  std::vector<std::thread> threads;
  std::vector<std::vector<Outcome>> outcomes(4);
  for (std::size_t t = 0; t < outcomes.size(); ++t) {
    threads.emplace_back([&, t] { outcomes[t] = sink->deliver(makeEvents(5)); });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& batch : outcomes) {
    ASSERT_EQ(batch.size(), 5u);
    for (const auto& outcome : batch) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered) << outcome.message;
  }
  EXPECT_EQ(receiver_.requests().size(), 20u);
  EXPECT_LE(receiver_.acceptedConnections(), 4);
}

}  // namespace
}  // namespace ccm::sinks::http
