// Trace context end to end (docs/delivery.md#trace-context), once per store:
// the real gateway, a REST call or an inbound event with W3C traceparent and
// tracestate, and the events they cause as http sinks deliver them to real
// receivers on 127.0.0.1, in the event log, and in the gateway's log lines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/cloudevents_receiver.hpp"
#include "http_call.hpp"
#include "ingress_fixture.hpp"

namespace ccm::testing {
namespace {

using ccm::fakes::CloudEventsReceiver;
using ::testing::HasSubstr;

constexpr const char* kTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
constexpr const char* kTraceId = "0af7651916cd43dd8448eb211c80319c";
constexpr const char* kTracestate = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";

std::string sink(const std::string& name, const CloudEventsReceiver& receiver, const std::string& mode) {
  return R"({"name": ")" + name + R"(", "plugin": "http", "config": {"url": ")" + receiver.url("/events") +
         R"(", "mode": ")" + mode + R"("}})";
}

// The member `name` of a JSON object as a string, "" when it is missing.
std::string member(const rapidjson::Value& object, const char* name) {
  return object.IsObject() && object.HasMember(name) && object[name].IsString() ? object[name].GetString() : "";
}

class TraceContext : public IngressTest {
protected:
  // The one logged event of `type` about `subject`, as the event log returns it.
  rapidjson::Document logged(const std::string& subject, const std::string& type) {
    auto doc = parseJson(get("/api/v1/events?limit=1000&subject=" + subject + "&type=" + type).body);
    rapidjson::Document event;
    EXPECT_EQ(doc["items"].Size(), 1u) << type;
    if (doc["items"].Size() == 1) event.CopyFrom(doc["items"][0]["event"], event.GetAllocator());
    return event;
  }

  HttpReply createDefinition(const HttpHeaderList& headers) {
    return httpCall(port_, "POST", "/api/v1/definitions", R"({"name": "traced", "lab_yaml": "nodes: []\n"})",
                    "application/json", {headers});
  }
};

TEST_P(TraceContext, ARestCallsTraceparentReachesTheSinksAsExtensionAndHeader) {
  CloudEventsReceiver structured;
  CloudEventsReceiver binary;
  start("{}", 3600000,
        "[" + sink("structured", structured, "structured") + "," + sink("binary", binary, "binary") + "]");
  auto reply = createDefinition({{"traceparent", kTraceparent}, {"tracestate", kTracestate}});
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::string definition = parseJson(reply.body)["id"].GetString();

  ASSERT_TRUE(structured.waitForRequests(1, std::chrono::seconds(20)));
  const auto json = structured.requests().at(0);
  auto event = parseJson(json.body);
  EXPECT_EQ(member(event, "subject"), definition);
  EXPECT_EQ(member(event, "traceparent"), kTraceparent);
  EXPECT_EQ(member(event, "tracestate"), kTracestate);
  EXPECT_EQ(json.header("traceparent"), kTraceparent);
  EXPECT_EQ(json.header("tracestate"), kTracestate);

  ASSERT_TRUE(binary.waitForRequests(1, std::chrono::seconds(20)));
  const auto headers = binary.requests().at(0);
  EXPECT_EQ(headers.header("ce-subject"), definition);
  EXPECT_EQ(headers.header("ce-traceparent"), kTraceparent);
  EXPECT_EQ(headers.header("ce-tracestate"), kTracestate);
  EXPECT_EQ(headers.header("traceparent"), kTraceparent);
  EXPECT_EQ(headers.header("tracestate"), kTracestate);

  // The event log keeps the extension as it was committed.
  auto stored = logged(definition, "ccm.lablet.definition.created");
  EXPECT_EQ(member(stored, "traceparent"), kTraceparent);
}

TEST_P(TraceContext, EveryEventACommandCommitsCarriesItsTraceContext) {
  start();
  const auto session = readySession(true);
  auto reply =
      httpCall(port_, "POST", "/api/v1/sessions/" + session + "/ready", R"({"login_url": "https://lds.example/l/1"})",
               "application/json", {{{"traceparent", kTraceparent}, {"tracestate", kTracestate}}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  for (const char* type : {"ccm.lablet.session.ready", "ccm.lablet.user_session.created"}) {
    auto event = logged(session, type);
    EXPECT_EQ(member(event, "traceparent"), kTraceparent) << type;
    EXPECT_EQ(member(event, "tracestate"), kTracestate) << type;
  }
  EXPECT_FALSE(logged(session, "ccm.lablet.session.instantiating").HasMember("traceparent"));
}

TEST_P(TraceContext, TheAuditLineOfATracedCallCarriesItsTraceId) {
  start();
  ASSERT_EQ(createDefinition({{"traceparent", kTraceparent}}).status, 201);
  const auto line =
      gateway_->waitForStderrLine(std::string("\"trace_id\":\"") + kTraceId + "\"", std::chrono::seconds(10));
  ASSERT_TRUE(line) << gateway_->stderrText();
  EXPECT_THAT(*line, HasSubstr("\"message\":\"api call\""));
  EXPECT_THAT(*line, HasSubstr("\"route\":\"/api/v1/definitions\""));
}

TEST_P(TraceContext, AnInvalidTraceparentIsIgnoredAndTheCallSucceeds) {
  CloudEventsReceiver receiver;
  start("{}", 3600000, "[" + sink("out", receiver, "binary") + "]");
  // An all-zero trace-id (W3C 3.2.2.3), with a tracestate that goes with it.
  auto reply = createDefinition(
      {{"traceparent", "00-00000000000000000000000000000000-b7ad6b7169203331-01"}, {"tracestate", kTracestate}});
  ASSERT_EQ(reply.status, 201) << reply.body;
  ASSERT_TRUE(receiver.waitForRequests(1, std::chrono::seconds(20)));
  const auto request = receiver.requests().at(0);
  EXPECT_EQ(request.header("ce-subject"), member(parseJson(reply.body), "id"));
  EXPECT_FALSE(request.header("ce-traceparent"));
  EXPECT_FALSE(request.header("ce-tracestate"));
  EXPECT_FALSE(request.header("traceparent"));
  EXPECT_FALSE(request.header("tracestate"));
}

TEST_P(TraceContext, AnInboundEventsExtensionIsCarriedByTheSessionEventsItCauses) {
  start();
  const auto session = readySession();
  const std::string body = R"({"specversion": "1.0", "id": "l-1", "source": "urn:lds", "type": "lds.session.started",
    "traceparent": ")" + std::string(kTraceparent) +
                           R"(", "tracestate": ")" + kTracestate +
                           R"(", "datacontenttype": "application/json", "data": {"lablet_session_id": ")" + session +
                           R"("}})";
  ASSERT_EQ(postLds(body).status, 202);
  auto running = logged(session, "ccm.lablet.session.running");
  EXPECT_EQ(member(running, "traceparent"), kTraceparent);
  EXPECT_EQ(member(running, "tracestate"), kTracestate);
  // The events of the REST calls before it had no trace context.
  auto ready = logged(session, "ccm.lablet.session.ready");
  EXPECT_FALSE(ready.HasMember("traceparent"));
}

TEST_P(TraceContext, InBinaryModeTheCeHeaderIsTheEventsOwnAndWinsOverTheTransportHeader) {
  start();
  const auto session = readySession();
  const std::string other = "00-11111111111111111111111111111111-2222222222222222-00";
  const HeaderList headers = {{"Authorization", std::string("Bearer ") + kLdsToken},
                              {"ce-specversion", "1.0"},
                              {"ce-id", "l-1"},
                              {"ce-source", "urn:lds"},
                              {"ce-type", "lds.session.started"},
                              {"ce-traceparent", kTraceparent},
                              {"traceparent", other}};
  ASSERT_EQ(postEvents(R"({"lablet_session_id": ")" + session + R"("})", "application/json", headers).status, 202);
  EXPECT_EQ(member(logged(session, "ccm.lablet.session.running"), "traceparent"), kTraceparent);
}

TEST_P(TraceContext, WithoutItsOwnExtensionAnInboundEventTakesTheTraceparentHeader) {
  start();
  const auto session = readySession();
  const std::string body =
      structuredEvent("lds.session.started", "l-1", R"({"lablet_session_id": ")" + session + R"("})", "urn:lds");
  const HeaderList headers = {{"Authorization", std::string("Bearer ") + kLdsToken},
                              {"traceparent", kTraceparent},
                              {"tracestate", kTracestate}};
  ASSERT_EQ(postEvents(body, "application/cloudevents+json", headers).status, 202);
  auto running = logged(session, "ccm.lablet.session.running");
  EXPECT_EQ(member(running, "traceparent"), kTraceparent);
  EXPECT_EQ(member(running, "tracestate"), kTracestate);
  // The inbound event itself is logged as it came, without the extension.
  auto inbound = eventsOfType("lds.session.started");
  ASSERT_EQ(inbound["items"].Size(), 1u);
  EXPECT_FALSE(inbound["items"][0]["event"].HasMember("traceparent"));
}

TEST_P(TraceContext, AGradingEventsTraceIsCarriedByTheScoreAndGradedEvents) {
  start();
  const auto session = readySession();
  const auto to = [&](const std::string& verb) { return postApi("/api/v1/sessions/" + session + "/" + verb).status; };
  ASSERT_EQ(to("running"), 200);
  ASSERT_EQ(to("collect"), 200);
  ASSERT_EQ(to("grading"), 200);
  const std::string body = R"({"specversion": "1.0", "id": "g-1", "source": "urn:grading-engine",
    "type": "grading.session.completed", "traceparent": ")" +
                           std::string(kTraceparent) +
                           R"(", "datacontenttype": "application/json",
    "data": {"lablet_session_id": ")" +
                           session + R"(", "score": 90, "passed": true, "report_id": "r-1"}})";
  auto reply = postGrading(body);
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(member(logged(session, "ccm.lablet.session.graded"), "traceparent"), kTraceparent);
  EXPECT_EQ(member(logged(session, "ccm.lablet.score_report.created"), "traceparent"), kTraceparent);
}

INSTANTIATE_TEST_SUITE_P(Stores, TraceContext, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ccm::testing
