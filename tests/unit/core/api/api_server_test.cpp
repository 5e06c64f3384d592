#include "api/api_server.hpp"

#include <future>
#include <mutex>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/json_request.hpp"

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

struct Reply {
  int status;
  std::string body;
  std::string allow;
  std::string retry_after;
  std::string content_length;
};

Reply call(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body = {},
           bool chunked = false) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("X-Probe", "probe-value");
  if (chunked) request.setChunkedTransferEncoding(true);
  else if (!body.empty()) request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::string text;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), text);
  return {response.getStatus(), text, response.get("Allow", ""), response.get("Retry-After", ""),
          response.get("Content-Length", "")};
}

class ApiServerTest : public ::testing::Test {
protected:
  void SetUp() override {
    router_.add("POST", "/echo/{name}", [](const HttpRequest& request, const PathParams& params) {
      return bodyResponse(201, "text/plain",
                          params.at("name") + " " + *request.header("X-Probe") + " " +
                              std::to_string(request.body.size()) + " " + request.body);
    });
    router_.add("GET", "/blocked", [this](const HttpRequest&, const PathParams&) {
      entered_.set_value();
      release_.wait();
      return bodyResponse(200, "text/plain", "unblocked");
    });
    router_.add("GET", "/plain", [](const HttpRequest&, const PathParams&) {
      return bodyResponse(200, "text/plain", "twelve bytes");
    });
    router_.addAsync(
        "POST", "/async",
        [](HttpRequest request, HttpResponder responder) {
          responder.send({202, {{"Content-Type", "text/plain"}}, "async " + request.body, false});
        },
        {8, "test.async_limit"});
    router_.add("GET", "/throws", [](const HttpRequest&, const PathParams&) -> HttpResponse {
      throw std::runtime_error("route broke");
    });
    router_.addAsync(
        "POST", "/async-throws", [](HttpRequest, HttpResponder) { throw std::runtime_error("async broke"); }, {8, {}});
    router_.addAsync(
        "POST", "/where",
        [this](HttpRequest, HttpResponder responder) {
          {
            std::lock_guard lock(threads_mutex_);
            threads_.push_back(std::this_thread::get_id());
          }
          responder.send({200, {}, "", false});
        },
        {1 << 20, {}});
  }
  void start(int workers = 2, std::size_t max_queued = 4, MetricsRegistry* metrics = nullptr,
             std::size_t max_json_depth = 64) {
    ApiServer::Options options;
    options.max_json_depth = max_json_depth;
    options.worker_threads = workers;
    options.max_queued = max_queued;
    options.metrics = metrics;
    server_ = std::make_unique<ApiServer>(options, router_);
    server_->start();
  }
  void TearDown() override {
    if (server_) server_->stop(std::chrono::seconds(1));
  }

  Router router_;
  std::mutex threads_mutex_;
  std::vector<std::thread::id> threads_;  // where /where ran
  std::promise<void> entered_;
  std::promise<void> release_promise_;
  std::shared_future<void> release_ = release_promise_.get_future().share();
  std::unique_ptr<ApiServer> server_;
};

TEST_F(ApiServerTest, BlockingRoutesSeeHeadersParametersAndTheDecodedBody) {
  start();
  auto fixed = call(server_->port(), "POST", "/echo/fixed", "abc");
  EXPECT_EQ(fixed.status, 201);
  EXPECT_EQ(fixed.body, "fixed probe-value 3 abc");
  // A chunked body reaches the route read whole, with its length.
  auto chunked = call(server_->port(), "POST", "/echo/chunked", "abcdef", true);
  EXPECT_EQ(chunked.status, 201);
  EXPECT_EQ(chunked.body, "chunked probe-value 6 abcdef");
}

TEST_F(ApiServerTest, ABodyNestedDeeperThanTheLimitNeverReachesTheRoute) {
  start(2, 4, nullptr, 3);
  auto within = call(server_->port(), "POST", "/echo/ok", R"({"a":[{"b":1}]})");
  EXPECT_EQ(within.status, 201) << within.body;
  auto deep = call(server_->port(), "POST", "/echo/deep", R"({"a":[{"b":[1]}]})");
  EXPECT_EQ(deep.status, 400);
  EXPECT_THAT(deep.body, HasSubstr("deeper than server.max_json_depth (3 levels)"));
  auto text = call(server_->port(), "POST", "/echo/text", "[[[[ not json");
  EXPECT_EQ(text.status, 400) << "counted up to the first error";
  auto plain = call(server_->port(), "POST", "/echo/plain", "just text");
  EXPECT_EQ(plain.status, 201) << "a body that is not JSON is the route's to judge";
}

TEST_F(ApiServerTest, HeadAnswersAGetRouteWithoutTheBody) {
  start();
  auto head = call(server_->port(), "HEAD", "/plain");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.content_length, "12");
  EXPECT_EQ(head.body, "");
}

TEST_F(ApiServerTest, UnknownPathsAndMethodsAreProblems) {
  start();
  auto missing = call(server_->port(), "GET", "/nowhere");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("no resource at /nowhere"));
  auto wrong = call(server_->port(), "GET", "/async");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.allow, "POST");
}

TEST_F(ApiServerTest, AsyncRoutesAreAnsweredWithTheirOwnBodyLimit) {
  start();
  auto small = call(server_->port(), "POST", "/async", "12345678");
  EXPECT_EQ(small.status, 202);
  EXPECT_EQ(small.body, "async 12345678");
  // Read as the other routes are: a trailing slash names the same route.
  EXPECT_EQ(call(server_->port(), "POST", "/async/", "slash").body, "async slash");
  auto large = call(server_->port(), "POST", "/async", "123456789");
  EXPECT_EQ(large.status, 413);
  EXPECT_THAT(large.body, HasSubstr("test.async_limit (8 bytes)"));
}

TEST_F(ApiServerTest, RequestsBeyondTheWorkerQueueGet503WhileAsyncRoutesStillAnswer) {
  start(1, 1);
  auto blocked = std::async(std::launch::async, [this] { return call(server_->port(), "GET", "/blocked"); });
  entered_.get_future().wait();  // the only worker is busy
  auto queued = std::async(std::launch::async, [this] { return call(server_->port(), "GET", "/plain"); });
  // Let the queued request take the one queue place (nothing to observe it by).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto refused = call(server_->port(), "GET", "/plain");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.retry_after, "1");
  EXPECT_THAT(refused.body, HasSubstr("server.max_queued"));
  EXPECT_EQ(call(server_->port(), "POST", "/async", "free").status, 202);
  release_promise_.set_value();
  EXPECT_EQ(blocked.get().body, "unblocked");
  EXPECT_EQ(queued.get().status, 200);
}

TEST_F(ApiServerTest, AnAsyncRouteRunsOnTheLoopUnlessItsBodyIsLarge) {
  start();  // one loop (HttpServer::Options default): every small body runs on its thread
  const std::string small(100, 's');
  const std::string large(ApiServer::kLoopBodyBytes + 1, 'l');
  ASSERT_EQ(call(server_->port(), "POST", "/where", small).status, 200);
  ASSERT_EQ(call(server_->port(), "POST", "/where", large).status, 200);
  ASSERT_EQ(call(server_->port(), "POST", "/where", large).status, 200);
  std::lock_guard lock(threads_mutex_);
  ASSERT_EQ(threads_.size(), 3u);
  // The large bodies ran on the worker pool's threads, not where the small one did.
  EXPECT_NE(threads_[1], threads_[0]);
  EXPECT_NE(threads_[2], threads_[0]);
}

TEST_F(ApiServerTest, ARouteThatThrowsIsA500NamingTheError) {
  MetricsRegistry metrics;
  start(2, 4, &metrics);
  auto thrown = call(server_->port(), "GET", "/throws");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_THAT(thrown.body, HasSubstr("route broke"));
  EXPECT_EQ(call(server_->port(), "GET", "/plain").status, 200) << "the worker lives on";
  auto async = call(server_->port(), "POST", "/async-throws", "x");
  EXPECT_EQ(async.status, 500);
  EXPECT_THAT(async.body, HasSubstr("async broke"));
  EXPECT_EQ(metrics.value("ccm_http_requests_total", {{"route", "/async-throws"}, {"status", "500"}}), 1);
}

TEST_F(ApiServerTest, CountsRequestsByRoutePatternAndStatus) {
  MetricsRegistry metrics;
  start(2, 4, &metrics);
  call(server_->port(), "POST", "/echo/a", "x");
  call(server_->port(), "POST", "/echo/b", "y");
  call(server_->port(), "GET", "/nowhere/at/all");
  call(server_->port(), "GET", "/async");
  call(server_->port(), "POST", "/async", "ok");
  call(server_->port(), "POST", "/async", "far too long");
  auto count = [&](const std::string& route, const std::string& status) {
    return metrics.value("ccm_http_requests_total", {{"route", route}, {"status", status}});
  };
  EXPECT_EQ(count("/echo/{name}", "201"), 2);  // the pattern, not the path
  EXPECT_EQ(count("(unmatched)", "404"), 1);
  EXPECT_EQ(count("/async", "405"), 1);
  EXPECT_EQ(count("/async", "202"), 1);
  EXPECT_EQ(count("(server)", "413"), 1);  // refused by the server before any route
  EXPECT_THAT(metrics.renderPrometheus(),
              HasSubstr("ccm_http_request_duration_seconds_count{route=\"/echo/{name}\"} 2\n"));
  {
    Poco::Net::HTTPClientSession open("127.0.0.1", server_->port());
    Poco::Net::HTTPRequest request("GET", "/plain", Poco::Net::HTTPMessage::HTTP_1_1);
    open.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string ignored;
    Poco::StreamCopier::copyToString(open.receiveResponse(response), ignored);
    // The earlier calls' connections close as the server reads their ends.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    do {
      server_->gaugeUpdater()();
    } while (metrics.value("ccm_http_connections") != 1 && std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(metrics.value("ccm_http_connections"), 1);  // the keep-alive connection still open
  }
}

}  // namespace
}  // namespace ccm::core
