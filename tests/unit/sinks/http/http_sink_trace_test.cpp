// The http sink's W3C Trace Context headers (docs/sinks/http.md#trace-context):
// taken from each event's Distributed Tracing extension, on the wire of a
// real receiver.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fakes/cloudevents_receiver.hpp"
#include "http_sink_test_support.hpp"

namespace ccm::sinks::http {
namespace {

using fakes::Headers;
using testing::makeEvent;
using testing::makeEvents;

constexpr const char* kTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
constexpr const char* kOtherTraceparent = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01";

sdk::CloudEvent traced(int n, const std::string& traceparent, const std::string& tracestate = "") {
  sdk::CloudEvent event = makeEvent(n);
  event.extensions["traceparent"] = traceparent;
  if (!tracestate.empty()) event.extensions["tracestate"] = tracestate;
  return event;
}

class HttpSinkTrace : public testing::ReceivingSinkFixture {};

TEST_F(HttpSinkTrace, BinaryModeSendsTheExtensionAsCeHeadersAndAsTraceContextHeaders) {
  auto sink = makeSink(configFor());
  const auto requests = deliverAll(*sink, {traced(1, kTraceparent, "rojo=1")}, 1);
  ASSERT_EQ(requests.size(), 1u);
  const Headers expected = {
      {"Connection", "Keep-Alive"},
      {"ce-specversion", "1.0"},
      {"ce-id", "evt-1"},
      {"ce-source", "/tests/http-sink"},
      {"ce-type", "com.example.http-sink.test"},
      {"ce-traceparent", kTraceparent},
      {"ce-tracestate", "rojo=1"},
      {"Content-Type", "application/json"},
      {"traceparent", kTraceparent},
      {"tracestate", "rojo=1"},
      {"Content-Length", "7"},
      {"Host", host()},
  };
  EXPECT_EQ(requests[0].headers, expected);
}

TEST_F(HttpSinkTrace, StructuredModeSendsEachEventsOwnTraceparent) {
  auto sink = makeSink(configFor(R"("mode":"structured")"));
  const auto requests = deliverAll(*sink, {traced(1, kTraceparent), makeEvent(2), traced(3, kOtherTraceparent)}, 3);
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].header("traceparent"), kTraceparent);
  EXPECT_EQ(requests[0].header("tracestate"), std::nullopt);
  EXPECT_EQ(requests[1].header("traceparent"), std::nullopt);
  EXPECT_EQ(requests[2].header("traceparent"), kOtherTraceparent);
}

TEST_F(HttpSinkTrace, BatchModeSendsTheTraceparentEveryEventOfTheBatchShares) {
  auto sink = makeSink(configFor(R"("mode":"batch")"));
  const auto requests = deliverAll(*sink, {traced(1, kTraceparent, "rojo=1"), traced(2, kTraceparent, "rojo=1")}, 1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("traceparent"), kTraceparent);
  EXPECT_EQ(requests[0].header("tracestate"), "rojo=1");
}

TEST_F(HttpSinkTrace, BatchModeSendsNoTraceparentWhenTheEventsDoNotShareOne) {
  auto sink = makeSink(configFor(R"("mode":"batch")"));
  deliverAll(*sink, {traced(1, kTraceparent), traced(2, kOtherTraceparent)}, 1);
  deliverAll(*sink, {traced(3, kTraceparent), makeEvent(4)}, 2);
  deliverAll(*sink, {traced(5, kTraceparent, "rojo=1"), traced(6, kTraceparent, "rojo=2")}, 3);
  const auto requests = receiver_.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& request : requests) EXPECT_EQ(request.header("traceparent"), std::nullopt) << request.body;
}

TEST_F(HttpSinkTrace, AnInvalidTraceparentExtensionTravelsAsAnExtensionOnlyNotAsTheHeader) {
  auto sink = makeSink(configFor());
  const auto requests = deliverAll(*sink, {traced(1, "00-not-a-trace-context")}, 1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("ce-traceparent"), "00-not-a-trace-context");
  EXPECT_EQ(requests[0].header("traceparent"), std::nullopt);
}

}  // namespace
}  // namespace ccm::sinks::http
