#include "plugin/http_client.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace ccm::core
