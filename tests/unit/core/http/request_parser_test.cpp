#include "http/request_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ccm::core {
namespace {

using ::testing::HasSubstr;
using Progress = RequestParser::Progress;

RequestParser parser(std::size_t max_body = 1024, std::size_t max_head = 4096) {
  return RequestParser(max_head, [max_body](const HttpRequest&) { return RequestParser::Limit{max_body, "test.limit"}; });
}

TEST(RequestParser, ReadsARequestThatArrivesByteByByte) {
  auto p = parser();
  const std::string wire = "POST /api/v1/events?x=1 HTTP/1.1\r\nHost: h\r\nContent-Type:  text/plain \r\n"
                           "Content-Length: 5\r\n\r\nhello";
  std::string input;
  for (std::size_t i = 0; i + 1 < wire.size(); ++i) {
    input += wire[i];
    ASSERT_EQ(p.parse(input), Progress::NeedMore) << "after byte " << i;
  }
  input += wire.back();
  ASSERT_EQ(p.parse(input), Progress::Complete);
  const auto request = p.take();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/api/v1/events?x=1");
  EXPECT_EQ(request.path(), "/api/v1/events");
  EXPECT_EQ(request.minor_version, 1);
  ASSERT_NE(request.header("content-type"), nullptr);
  EXPECT_EQ(*request.header("content-type"), "text/plain");
  EXPECT_EQ(request.body, "hello");
  EXPECT_TRUE(input.empty());
}

TEST(RequestParser, LeavesPipelinedRequestsInTheInput) {
  auto p = parser();
  std::string input =
      "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nab"
      "GET /b HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /c HTTP/1.0\r\n";
  ASSERT_EQ(p.parse(input), Progress::Complete);
  EXPECT_EQ(p.take().body, "ab");
  ASSERT_EQ(p.parse(input), Progress::Complete);
  EXPECT_EQ(p.take().target, "/b");
  EXPECT_EQ(p.parse(input), Progress::NeedMore);
  EXPECT_TRUE(p.started());
  EXPECT_EQ(input, "GET /c HTTP/1.0\r\n");
}

TEST(RequestParser, DecodesAChunkedBodyAndDropsItsTrailers) {
  auto p = parser();
  std::string input =
      "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "7\r\n, world\r\n"
      "0\r\nX-Trailer: t\r\n\r\nNEXT";
  ASSERT_EQ(p.parse(input), Progress::Complete);
  EXPECT_EQ(p.take().body, "hello, world");
  EXPECT_EQ(input, "NEXT");
}

TEST(RequestParser, RefusesAnAnnouncedBodyOverTheLimitNamingTheSetting) {
  auto p = parser(10);
  std::string input = "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n";
  ASSERT_EQ(p.parse(input), Progress::Failed);
  EXPECT_EQ(p.failure().status, 413);
  EXPECT_EQ(p.failure().detail, "request body exceeds test.limit (10 bytes)");
}

TEST(RequestParser, RefusesAChunkedBodyAsSoonAsItPassesTheLimit) {
  auto p = parser(10);
  std::string input = "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n";
  ASSERT_EQ(p.parse(input), Progress::NeedMore);
  input += "3\r\n";  // 8 + 3 > 10, refused before the chunk's data arrives
  ASSERT_EQ(p.parse(input), Progress::Failed);
  EXPECT_EQ(p.failure().status, 413);
}

TEST(RequestParser, RefusesAHeadOverItsLimitWith431) {
  auto p = parser(1024, 64);
  std::string input = "GET / HTTP/1.1\r\nHost: t\r\nX-Long: " + std::string(100, 'a');
  ASSERT_EQ(p.parse(input), Progress::Failed);
  EXPECT_EQ(p.failure().status, 431);
}

struct BadHead {
  std::string wire;
  int status;
  std::string detail;
};

class RequestParserRefuses : public ::testing::TestWithParam<BadHead> {};

TEST_P(RequestParserRefuses, WithTheStatusAndReason) {
  auto p = parser();
  std::string input = GetParam().wire;
  ASSERT_EQ(p.parse(input), Progress::Failed);
  EXPECT_EQ(p.failure().status, GetParam().status);
  EXPECT_THAT(p.failure().detail, HasSubstr(GetParam().detail));
}

INSTANTIATE_TEST_SUITE_P(
    Heads, RequestParserRefuses,
    ::testing::Values(BadHead{"GET /\r\n\r\n", 400, "malformed request line"},
                      BadHead{"GET / HTTP/2.0\r\n\r\n", 505, "HTTP/2.0"},
                      BadHead{"GET / FTP/1.0\r\n\r\n", 400, "malformed HTTP version"},
                      BadHead{"G(T / HTTP/1.1\r\nHost: t\r\n\r\n", 400, "method"},
                      BadHead{"GET / HTTP/1.1\r\nHost: t\r\nNo colon\r\n\r\n", 400, "malformed header line"},
                      BadHead{"GET / HTTP/1.1\r\nHost: t\r\nA: b\r\n  folded\r\n\r\n", 400, "folding"},
                      BadHead{"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length"},
                      BadHead{"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "conflicting"},
                      BadHead{"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
                              "both"},
                      BadHead{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "gzip"},
                      BadHead{"POST / HTTP/1.1\r\nHost: t\r\nExpect: magic\r\n\r\n", 417, "magic"},
                      BadHead{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "chunk size"},
                      // Framing another parser (a proxy in front) could read differently.
                      BadHead{"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n", 400,
                              "conflicting"},
                      BadHead{"POST / HTTP/1.1\r\nHost: t\r\nX: a\nContent-Length: 5\r\n\r\n", 400,
                              "control character"},
                      BadHead{"GET /a\x01b HTTP/1.1\r\nHost: t\r\n\r\n", 400, "request target"},
                      BadHead{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n",
                              400, "more than one Transfer-Encoding"},
                      BadHead{"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "HTTP/1.0"},
                      BadHead{"GET / HTTP/1.1\r\n\r\n", 400, "Host"},
                      BadHead{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host"},
                      BadHead{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3;a\nb\r\nabc\r\n", 400,
                              "chunk size line holds a control character"},
                      BadHead{"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\nZ\r\n\r\n", 400,
                              "trailer field holds a control character"}));

TEST(RequestParser, AnHttp10ClientIsNotSent100Continue) {
  auto p = parser();
  std::string input = "POST /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
  ASSERT_EQ(p.parse(input), Progress::NeedMore);
  EXPECT_FALSE(p.awaitsContinue());
}

TEST(RequestParser, ReportsThatTheClientWaitsFor100Continue) {
  auto p = parser();
  std::string input = "POST /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
  ASSERT_EQ(p.parse(input), Progress::NeedMore);
  EXPECT_TRUE(p.awaitsContinue());
  input += "abc";
  ASSERT_EQ(p.parse(input), Progress::Complete);
  EXPECT_EQ(p.take().body, "abc");
  EXPECT_FALSE(p.awaitsContinue());
}

TEST(RequestParser, AsksForTheBodyLimitWithTheHead) {
  std::string seen;
  RequestParser p(4096, [&seen](const HttpRequest& head) {
    seen = head.method + " " + head.target;
    return RequestParser::Limit{1, {}};
  });
  std::string input = "PUT /limited HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n";
  ASSERT_EQ(p.parse(input), Progress::Failed);
  EXPECT_EQ(seen, "PUT /limited");
  EXPECT_EQ(p.failure().detail, "request body exceeds 1 bytes");
}

TEST(HttpRequest, KeepsAliveByVersionAndConnectionHeader) {
  HttpRequest request;
  EXPECT_TRUE(request.keepAlive());
  request.headers = {{"Connection", "Upgrade, close"}};
  EXPECT_FALSE(request.keepAlive());
  request.minor_version = 0;
  request.headers = {};
  EXPECT_FALSE(request.keepAlive());
  request.headers = {{"connection", "Keep-Alive"}};
  EXPECT_TRUE(request.keepAlive());
}

TEST(HttpResponse, IsSerialisedWithTheServersFraming) {
  HttpResponse response{202, {{"Content-Type", "application/json"}, {"Content-Length", "99"}}, R"({"a":1})", false};
  EXPECT_EQ(serializeResponse(response, 1, true, false),
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
  EXPECT_EQ(serializeResponse(response, 1, false, true),
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 7\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(serializeResponse(response, 0, true, false),
            "HTTP/1.0 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 7\r\n"
            "Connection: keep-alive\r\n\r\n{\"a\":1}");
}

TEST(HttpResponse, CarriesTheDateItIsGiven) {
  EXPECT_EQ(serializeResponse({204, {}, "", false}, 1, true, false, "Sun, 06 Nov 1994 08:49:37 GMT"),
            "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\n\r\n");
  EXPECT_THAT(std::string(httpDate()), ::testing::MatchesRegex("[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} "
                                                               "[0-9]{2}:[0-9]{2}:[0-9]{2} GMT"));
}

TEST(HttpResponse, ProblemJsonAppendsExtensionMembersInOrder) {
  EXPECT_EQ(problemJson(422, "Unprocessable Content", "bad", {{"pointer", "/data/x"}, {"member", std::uint64_t{3}}}),
            R"({"type":"about:blank","title":"Unprocessable Content","status":422,"detail":"bad",)"
            R"("pointer":"/data/x","member":3})");
}

TEST(HttpResponse, ProblemJsonEscapesItsText) {
  EXPECT_EQ(problemJson(400, "Bad Request", "a \"quoted\" word"),
            R"({"type":"about:blank","title":"Bad Request","status":400,"detail":"a \"quoted\" word"})");
}

}  // namespace
}  // namespace ccm::core
