// POST /api/v1/events against the real gateway, once per store: the three
// HTTP modes, every refusal, batches, deduplication (concurrent copies
// included) and forwarding of unclaimed types. Flows are in ingress_flows_test.cpp.
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingress_fixture.hpp"

namespace ccm::testing {
namespace {

using ::testing::HasSubstr;

std::string started(const std::string& session, const std::string& id = "evt-1") {
  return structuredEvent("lds.session.started", id, R"({"lablet_session_id": ")" + session + R"("})");
}

class IngressApi : public IngressTest {
protected:
  int countOfType(const std::string& glob) { return static_cast<int>(eventsOfType(glob)["items"].Size()); }
};

TEST_P(IngressApi, AcceptsTheStructuredMode) {
  start();
  const auto session = readySession();
  auto reply = postLds(started(session));
  ASSERT_EQ(reply.status, 202) << reply.body;
  auto receipt = parseJson(reply.body);
  EXPECT_EQ(receipt["accepted"].GetInt(), 1);
  EXPECT_STREQ(receipt["items"][0]["result"].GetString(), "applied");
  EXPECT_EQ(sessionState(session), "running");
}

TEST_P(IngressApi, AcceptsTheBinaryMode) {
  start();
  const auto session = readySession();
  auto reply = postEvents(R"({"lablet_session_id": ")" + session + R"("})", "application/json",
                          {{"Authorization", std::string("Bearer ") + kLdsToken},
                           {"ce-specversion", "1.0"},
                           {"ce-id", "bin-1"},
                           {"ce-source", "urn:lds"},
                           {"ce-type", "lds.session.started"}});
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(sessionState(session), "running");
}

TEST_P(IngressApi, AcceptsTheBatchModeAndAppliesMembersInOrder) {
  start();
  const auto session = readySession();
  const std::string data = R"({"lablet_session_id": ")" + session + R"("})";
  auto reply = postLds("[" + structuredEvent("lds.session.started", "b-1", data) + "," +
                           structuredEvent("lds.session.ended", "b-2", data) + "]",
                       "application/cloudevents-batch+json");
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(parseJson(reply.body)["accepted"].GetInt(), 2);
  EXPECT_EQ(sessionState(session), "collecting");
}

TEST_P(IngressApi, AnInvalidEventIs400NamingTheAttributeAndTheRule) {
  start();
  auto missing = postLds(R"({"specversion": "1.0", "source": "urn:lds", "type": "lds.session.started"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.content_type, "application/problem+json");
  EXPECT_THAT(missing.body, HasSubstr(R"("attribute":"id")"));
  EXPECT_THAT(missing.body, HasSubstr("is required"));
  auto bad_time = postLds(R"({"specversion": "1.0", "id": "x", "source": "urn:lds", "type": "lds.session.started",
    "time": "yesterday"})");
  EXPECT_EQ(bad_time.status, 400);
  EXPECT_THAT(bad_time.body, HasSubstr(R"("attribute":"time")"));
  auto in_batch = postLds("[" + started("s") + R"(, {"specversion": "1.0", "id": "y", "type": "t"}])",
                          "application/cloudevents-batch+json");
  EXPECT_EQ(in_batch.status, 400);
  EXPECT_THAT(in_batch.body, HasSubstr(R"("attribute":"source")"));
  EXPECT_THAT(in_batch.body, HasSubstr(R"("member":1)"));
}

TEST_P(IngressApi, ABodyOverTheLimitIs413BeforeItIsRead) {
  start(R"({"max_body_bytes": 1024})");
  // Announced: refused on the headers alone (the body is never sent).
  Poco::Net::HTTPClientSession client("127.0.0.1", port_);
  Poco::Net::HTTPRequest request("POST", "/api/v1/events", Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/cloudevents+json");
  request.setContentLength(100 << 20);
  client.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(client.receiveResponse(response), body);
  EXPECT_EQ(response.getStatus(), 413);
  EXPECT_THAT(body, HasSubstr("ingress.max_body_bytes (1024 bytes)"));
  // Chunked: refused once the limit is passed while reading.
  const std::string big =
      structuredEvent("lds.session.started", "big", R"({"pad": ")" + std::string(4096, 'x') + "\"}");
  auto chunked = postEvents(big, "application/cloudevents+json", {}, true);
  EXPECT_EQ(chunked.status, 413);
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_THAT(get("/metrics").body, HasSubstr("ccm_http_requests_total{route=\"(server)\",status=\"413\"} 2\n"));
}

TEST_P(IngressApi, AContentTypeThatIsNotACloudEventIs415) {
  start();
  auto plain = postEvents("hello", "text/plain", {{"Authorization", std::string("Bearer ") + kLdsToken}});
  EXPECT_EQ(plain.status, 415);
  EXPECT_THAT(plain.body, HasSubstr("text/plain"));
  auto xml = postEvents("<e/>", "application/cloudevents+xml");
  EXPECT_EQ(xml.status, 415);
  EXPECT_THAT(xml.body, HasSubstr("unsupported event format"));
}

TEST_P(IngressApi, MissingCredentialsAre401AndWrongOnes403) {
  start();
  const auto session = readySession();
  auto none = postEvents(started(session), "application/cloudevents+json");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.www_authenticate, "Bearer realm=\"ccm-gateway\"");
  EXPECT_THAT(none.body, HasSubstr("source \\\"lds\\\""));
  auto wrong = postEvents(started(session), "application/cloudevents+json", {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 403);
  // The grading source wants an HMAC signature, not the lds token.
  const auto completed =
      structuredEvent("grading.session.completed", "g-1",
                      R"({"lablet_session_id": ")" + session + R"(", "score": 1, "passed": true, "report_id": "r"})");
  EXPECT_EQ(postEvents(completed, "application/cloudevents+json",
                       {{"Authorization", std::string("Bearer ") + kLdsToken}}).status,
            401);
  EXPECT_EQ(postEvents(completed, "application/cloudevents+json", {{"X-Signature", std::string(64, '0')}}).status,
            403);
  EXPECT_EQ(sessionState(session), "ready");
  EXPECT_EQ(countOfType("lds.*"), 0);
}

TEST_P(IngressApi, DataThatBreaksTheClaimedSchemaIs422WithItsJsonPointer) {
  start();
  auto reply = postLds(structuredEvent("lds.session.started", "e-1", R"({"lablet_session_id": 42})"));
  EXPECT_EQ(reply.status, 422);
  auto problem = parseJson(reply.body);
  EXPECT_STREQ(problem["pointer"].GetString(), "/data/lablet_session_id");
  EXPECT_THAT(problem["detail"].GetString(), HasSubstr("expected string, got integer"));
  auto missing = postLds(structuredEvent("lds.session.ended", "e-2", R"({"user_session_id": "u"})"));
  EXPECT_EQ(missing.status, 422);
  EXPECT_THAT(missing.body, HasSubstr("missing required property \\\"lablet_session_id\\\""));
}

TEST_P(IngressApi, ABatchIsAllOrNothingAndNamesTheFailingMember) {
  start();
  const auto session = readySession();
  const std::string data = R"({"lablet_session_id": ")" + session + R"("})";
  // Member 1 breaks its schema: nothing is applied, member 0 included.
  auto bad_data = postLds("[" + structuredEvent("lds.session.started", "a-1", data) + "," +
                              structuredEvent("lds.session.ended", "a-2", R"({"lablet_session_id": 5})") + "]",
                          "application/cloudevents-batch+json");
  EXPECT_EQ(bad_data.status, 422);
  EXPECT_EQ(parseJson(bad_data.body)["member"].GetInt(), 1);
  // Member 1 names a session that does not exist: member 0 was applied in the
  // transaction and is rolled back with it.
  auto unknown = postLds("[" + structuredEvent("lds.session.started", "a-1", data) + "," +
                             structuredEvent("lds.session.ended", "a-3", R"({"lablet_session_id": "ghost"})") + "]",
                         "application/cloudevents-batch+json");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(parseJson(unknown.body)["member"].GetInt(), 1);
  EXPECT_THAT(unknown.body, HasSubstr("session ghost does not exist"));
  EXPECT_EQ(sessionState(session), "ready");
  EXPECT_EQ(countOfType("lds.*"), 0);
  EXPECT_EQ(eventTypes(session).back(), "ccm.lablet.user_session.created");
  // The same first member is not remembered as a duplicate: it applies now.
  auto retried = postLds(started(session, "a-1"));
  ASSERT_EQ(retried.status, 202) << retried.body;
  EXPECT_EQ(sessionState(session), "running");
}

TEST_P(IngressApi, ADuplicateIsAcknowledgedAndNotAppliedAgain) {
  start();
  const auto session = readySession();
  ASSERT_EQ(postLds(started(session, "dup-1")).status, 202);
  ASSERT_EQ(postLds(structuredEvent("lds.session.ended", "dup-2", R"({"lablet_session_id": ")" + session + R"("})"))
                .status,
            202);
  auto again = postLds(started(session, "dup-1"));
  EXPECT_EQ(again.status, 202);
  EXPECT_STREQ(parseJson(again.body)["items"][0]["result"].GetString(), "duplicate");
  EXPECT_EQ(sessionState(session), "collecting");
  EXPECT_EQ(countOfType("lds.session.started"), 1);
  // Operators see the same in the metrics.
  const auto metrics = get("/metrics").body;
  EXPECT_THAT(metrics, HasSubstr("ccm_ingress_events_total{result=\"applied\"} 2\n"));
  EXPECT_THAT(metrics, HasSubstr("ccm_ingress_events_total{result=\"duplicate\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("ccm_http_requests_total{route=\"/api/v1/events\",status=\"202\"} 3\n"));
}

// The retention task forgets keys past ingress.dedup_ttl_seconds (SQLite: a
// generation at a time, so up to about twice the TTL), and the same id is
// then accepted as new.
TEST_P(IngressApi, AnIdIsAcceptedAgainOnceItsDeduplicationKeyHasExpired) {
  start(R"({"dedup_ttl_seconds": 1, "unclaimed": "forward"})");
  const auto event = structuredEvent("billing.usage.recorded", "ttl-1", R"({"minutes": 5})", "urn:billing");
  const auto result = [&] {
    const auto reply = postEvents(event, "application/cloudevents+json");
    EXPECT_EQ(reply.status, 202) << reply.body;
    return reply.status == 202 ? std::string(parseJson(reply.body)["items"][0]["result"].GetString()) : "";
  };
  ASSERT_EQ(result(), "forwarded");
  EXPECT_EQ(result(), "duplicate") << "within the TTL";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  std::string again = "duplicate";
  while (again == "duplicate" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    again = result();
  }
  EXPECT_EQ(again, "forwarded");
  EXPECT_EQ(countOfType("billing.*"), 2);
}

TEST_P(IngressApi, ParallelCopiesOfOneEventChangeStateOnceAndAreLoggedOnce) {
  start();
  const auto session = readySession();
  const auto body = started(session, "parallel-1");
  constexpr int kCopies = 16;
  std::vector<Reply> replies(kCopies);
  std::vector<std::thread> senders;
  for (int i = 0; i < kCopies; ++i) senders.emplace_back([&, i] { replies[i] = postLds(body); });
  for (auto& sender : senders) sender.join();
  int applied = 0;
  for (const auto& reply : replies) {
    ASSERT_EQ(reply.status, 202) << reply.body;
    applied += std::string(parseJson(reply.body)["items"][0]["result"].GetString()) == "applied" ? 1 : 0;
  }
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(countOfType("lds.session.started"), 1);
  auto types = eventTypes(session);
  EXPECT_EQ(std::count(types.begin(), types.end(), "ccm.lablet.session.running"), 1);
}

TEST_P(IngressApi, AnUnclaimedTypeIsRejectedByDefault) {
  start();
  auto reply = postEvents(structuredEvent("billing.usage.recorded", "u-1", R"({"minutes": 5})"),
                          "application/cloudevents+json");
  EXPECT_EQ(reply.status, 422);
  EXPECT_THAT(reply.body, HasSubstr("no source claims this type"));
  EXPECT_EQ(countOfType("billing.*"), 0);
}

TEST_P(IngressApi, AnUnclaimedTypeIsForwardedToTheEventLogWhenConfigured) {
  start(R"({"unclaimed": "forward", "forward_auth": {"bearer_token": "env:CCM_TEST_FORWARD_TOKEN"}})");
  const auto event = structuredEvent("billing.usage.recorded", "u-1", R"({"minutes": 5})", "urn:billing");
  EXPECT_EQ(postEvents(event, "application/cloudevents+json").status, 401);
  auto reply = postEvents(event, "application/cloudevents+json", {{"Authorization", "Bearer forward-token"}});
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_STREQ(parseJson(reply.body)["items"][0]["result"].GetString(), "forwarded");
  auto logged = eventsOfType("billing.*");
  ASSERT_EQ(logged["items"].Size(), 1u);
  EXPECT_STREQ(logged["items"][0]["event"]["source"].GetString(), "urn:billing");
  EXPECT_EQ(logged["items"][0]["event"]["data"]["minutes"].GetInt(), 5);
  // Claimed types still go to their source.
  const auto session = readySession();
  ASSERT_EQ(postLds(started(session)).status, 202);
  EXPECT_EQ(sessionState(session), "running");
}

TEST_P(IngressApi, DeeplyNestedJsonIsRefusedWithoutACrash) {
  start();
  const std::string nested = std::string(100000, '[') + std::string(100000, ']');
  auto structured = postLds(structuredEvent("lds.session.started", "deep-1", nested));
  EXPECT_EQ(structured.status, 400);
  EXPECT_THAT(structured.body, HasSubstr("max_depth"));
  auto binary = postEvents(nested, "application/json",
                           {{"Authorization", std::string("Bearer ") + kLdsToken}, {"ce-specversion", "1.0"},
                            {"ce-id", "deep-2"}, {"ce-source", "urn:lds"}, {"ce-type", "lds.session.started"}});
  EXPECT_EQ(binary.status, 400);
  auto batch = postLds("[" + nested + "]", "application/cloudevents-batch+json");
  EXPECT_EQ(batch.status, 400);
  EXPECT_EQ(get("/healthz").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Stores, IngressApi, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ccm::testing
