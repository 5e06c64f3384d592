#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "ccm/sdk/codec.hpp"
#include "fakes/cloudevents_receiver.hpp"
#include "http_sink_test_support.hpp"

namespace ccm::sinks::http {
namespace {

using fakes::Headers;
using testing::makeEvent;
using testing::makeEvents;
using testing::ScopedEnv;

class HttpSinkWire : public testing::ReceivingSinkFixture {};

sdk::CloudEvent eventNeedingPercentEncoding() {
  sdk::CloudEvent event = makeEvent(1);
  // "Grüße": split so that \x9F does not swallow the "e" as a hex digit.
  event.subject =
      "Gr\xC3\xBC\xC3\x9F"
      "e \"x\" 100%";
  event.time = "2024-05-01T12:00:00Z";
  event.extensions = {{"priority", std::int32_t{7}}, {"tenant", std::string("a b")}};
  return event;
}

TEST_F(HttpSinkWire, BinaryModePutsAttributesInPercentEncodedCeHeadersAndDataInTheBody) {
  auto sink = makeSink(configFor());
  const auto requests = deliverAll(*sink, {eventNeedingPercentEncoding()}, 1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/ingest");
  // HTTP binding 3.1.3.2: space, '"', '%' and non-ASCII bytes are percent-encoded.
  const Headers expected = {
      {"Connection", "Keep-Alive"},
      {"ce-specversion", "1.0"},
      {"ce-id", "evt-1"},
      {"ce-source", "/tests/http-sink"},
      {"ce-type", "com.example.http-sink.test"},
      {"ce-subject", "Gr%C3%BC%C3%9Fe%20%22x%22%20100%25"},
      {"ce-time", "2024-05-01T12:00:00Z"},
      {"ce-priority", "7"},
      {"ce-tenant", "a%20b"},
      {"Content-Type", "application/json"},
      {"Content-Length", "7"},
      {"Host", host()},
  };
  EXPECT_EQ(requests[0].headers, expected);
  EXPECT_EQ(requests[0].body, "{\"n\":1}");
}

TEST_F(HttpSinkWire, BinaryModeWithoutDataSendsAnEmptyBodyAndNoContentType) {
  sdk::CloudEvent event = makeEvent(2);
  event.datacontenttype.reset();
  event.data = {};
  auto sink = makeSink(configFor());
  const auto requests = deliverAll(*sink, {event}, 1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("Content-Type"), std::nullopt);
  EXPECT_EQ(requests[0].header("Content-Length"), "0");
  EXPECT_EQ(requests[0].body, "");
}

TEST_F(HttpSinkWire, StructuredModeSendsOneJsonEventPerRequest) {
  auto sink = makeSink(configFor(R"("mode":"structured")"));
  const auto requests = deliverAll(*sink, makeEvents(2), 2);
  ASSERT_EQ(requests.size(), 2u);
  const std::string body =
      R"({"specversion":"1.0","id":"evt-1","source":"/tests/http-sink","type":"com.example.http-sink.test",)"
      R"("datacontenttype":"application/json","data":{"n":1}})";
  const Headers expected = {
      {"Connection", "Keep-Alive"},
      {"Content-Type", "application/cloudevents+json; charset=utf-8"},
      {"Content-Length", std::to_string(body.size())},
      {"Host", host()},
  };
  EXPECT_EQ(requests[0].headers, expected);
  EXPECT_EQ(requests[0].body, body);
  EXPECT_EQ(requests[1].body, sdk::toStructured(makeEvent(2)));
}

TEST_F(HttpSinkWire, BatchModeSendsTheWholeBatchInOneRequest) {
  auto sink = makeSink(configFor(R"("mode":"batch")"));
  const auto requests = deliverAll(*sink, makeEvents(2), 1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("Content-Type"), "application/cloudevents-batch+json; charset=utf-8");
  EXPECT_EQ(requests[0].body,
            R"([{"specversion":"1.0","id":"evt-1","source":"/tests/http-sink","type":"com.example.http-sink.test",)"
            R"("datacontenttype":"application/json","data":{"n":1}},)"
            R"({"specversion":"1.0","id":"evt-2","source":"/tests/http-sink","type":"com.example.http-sink.test",)"
            R"("datacontenttype":"application/json","data":{"n":2}}])");
}

TEST_F(HttpSinkWire, BinaryAndStructuredModesHaveNoBatchLimit) {
  EXPECT_EQ(makeSink(configFor())->maxBatchSize(), 0u);
  EXPECT_EQ(makeSink(configFor(R"("mode":"structured")"))->maxBatchSize(), 0u);
  EXPECT_EQ(makeSink(configFor(R"("mode":"batch","max_batch_size":7)"))->maxBatchSize(), 7u);
}

TEST_F(HttpSinkWire, UsesTheDefaultSinkUrlWhenUrlIsAbsent) {
  auto sink = makeSink("{}", receiver_.url("/from-env?tenant=a"));
  const auto requests = deliverAll(*sink, makeEvents(1), 1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/from-env?tenant=a");
}

TEST_F(HttpSinkWire, ConfiguredUrlWinsOverTheDefaultSinkUrl) {
  auto sink = makeSink(configFor(), "http://127.0.0.1:9/never");
  const auto requests = deliverAll(*sink, makeEvents(1), 1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/ingest");
}

TEST_F(HttpSinkWire, SendsExtraHeadersAndTheBearerTokenExactly) {
  ScopedEnv token("CCM_HTTP_SINK_TEST_TOKEN", "s3cr3t.t0ken");
  auto sink = makeSink(configFor(R"("headers":{"X-Tenant":"lab 7","X-Trace":"abc"},)"
                                 R"("auth":{"type":"bearer","token":"env:CCM_HTTP_SINK_TEST_TOKEN"})"));
  const auto requests = deliverAll(*sink, makeEvents(1), 1);
  ASSERT_EQ(requests.size(), 1u);
  const Headers expected = {
      {"Connection", "Keep-Alive"},
      {"ce-specversion", "1.0"},
      {"ce-id", "evt-1"},
      {"ce-source", "/tests/http-sink"},
      {"ce-type", "com.example.http-sink.test"},
      {"Content-Type", "application/json"},
      {"X-Tenant", "lab 7"},
      {"X-Trace", "abc"},
      {"Authorization", "Bearer s3cr3t.t0ken"},
      {"Content-Length", "7"},
      {"Host", host()},
  };
  EXPECT_EQ(requests[0].headers, expected);
}

TEST_F(HttpSinkWire, SendsBasicAuthAsBase64OfUserColonPassword) {
  ScopedEnv password("CCM_HTTP_SINK_TEST_PASSWORD", "open sesame");
  auto sink = makeSink(configFor(
      R"("mode":"batch","auth":{"type":"basic","username":"Aladdin","password":"env:CCM_HTTP_SINK_TEST_PASSWORD"})"));
  const auto requests = deliverAll(*sink, makeEvents(2), 1);
  ASSERT_EQ(requests.size(), 1u);
  // RFC 7617 section 2's own example.
  EXPECT_EQ(requests[0].header("Authorization"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST_F(HttpSinkWire, ReadsTheTokenFromAFileWithoutItsTrailingNewline) {
  testing::TempDir dir;
  const std::string path = dir.file("token");
  std::ofstream(path) << "from-file\n";
  auto sink = makeSink(configFor(R"("auth":{"type":"bearer","token":"file:)" + path + "\"}"));
  const auto requests = deliverAll(*sink, makeEvents(1), 1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("Authorization"), "Bearer from-file");
}

}  // namespace
}  // namespace ccm::sinks::http
