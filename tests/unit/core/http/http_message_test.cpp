#include "http/http_message.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ccm::core {
namespace {

std::string serialized(const HttpResponse& response, int minor_version, bool keep_alive, bool head,
                       std::string_view date = {}) {
  std::string out;
  serializeResponse(response, minor_version, keep_alive, head, date, out);
  return out;
}

TEST(HttpResponse, IsSerialisedWithTheServersFraming) {
  HttpResponse response{202, {{"Content-Type", "application/json"}, {"Content-Length", "99"}}, R"({"a":1})", false};
  EXPECT_EQ(serialized(response, 1, true, false),
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
  EXPECT_EQ(serialized(response, 1, false, true),
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 7\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(serialized(response, 0, true, false),
            "HTTP/1.0 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 7\r\n"
            "Connection: keep-alive\r\n\r\n{\"a\":1}");
}

TEST(HttpResponse, CarriesTheDateItIsGivenAndNoLengthIn204) {
  EXPECT_EQ(serialized({204, {}, "", false}, 1, true, false, "Sun, 06 Nov 1994 08:49:37 GMT"),
            "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
  EXPECT_THAT(std::string(httpDate()), ::testing::MatchesRegex("[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} "
                                                               "[0-9]{2}:[0-9]{2}:[0-9]{2} GMT"));
}

TEST(HttpResponse, AHeaderThatWouldSplitTheResponseIsLeftOut) {
  HttpResponse response{200, {{"X-Bad", "a\r\nSet-Cookie: x"}, {"X-Bad\n", "b"}, {"X-Good", "c"}}, "", false};
  EXPECT_EQ(serialized(response, 1, true, false), "HTTP/1.1 200 OK\r\nX-Good: c\r\nContent-Length: 0\r\n\r\n");
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
