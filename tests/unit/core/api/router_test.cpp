#include "api/router.hpp"

#include <gtest/gtest.h>

namespace ccm::core {
namespace {

TEST(Router, MatchesPathParameters) {
  Router router;
  router.add("GET", "/api/v1/sessions/{id}", [](const HttpRequest&, const PathParams&) { return HttpResponse{}; });
  auto match = router.match("GET", "/api/v1/sessions/abc-1");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.params.at("id"), "abc-1");
}

TEST(Router, ReportsAllowedMethodsWhenOnlyTheMethodDiffers) {
  Router router;
  router.add("GET", "/x", [](const HttpRequest&, const PathParams&) { return HttpResponse{}; });
  router.add("DELETE", "/x", [](const HttpRequest&, const PathParams&) { return HttpResponse{}; });
  auto match = router.match("POST", "/x");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_EQ(match.allowed_methods, (std::vector<std::string>{"GET", "DELETE"}));
}

TEST(Router, UnknownPathMatchesNothing) {
  Router router;
  router.add("GET", "/x", [](const HttpRequest&, const PathParams&) { return HttpResponse{}; });
  auto match = router.match("GET", "/x/y");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_TRUE(match.allowed_methods.empty());
}

TEST(Router, HeadIsServedByGet) {
  Router router;
  router.add("GET", "/healthz", [](const HttpRequest&, const PathParams&) { return HttpResponse{}; });
  EXPECT_NE(router.match("HEAD", "/healthz").handler, nullptr);
}

TEST(Router, ListsEveryRouteInTheOrderAdded) {
  Router router;
  router.add("GET", "/api/v1/sessions/{id}", [](const HttpRequest&, const PathParams&) { return HttpResponse{}; });
  router.addAsync("POST", "/api/v1/events", [](HttpRequest, HttpResponder) {}, BodyLimit{1024, {}});
  router.add("DELETE", "/x", [](const HttpRequest&, const PathParams&) { return HttpResponse{}; });
  const auto routes = router.routes();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].method + " " + routes[0].pattern, "GET /api/v1/sessions/{id}");
  EXPECT_FALSE(routes[0].async);
  EXPECT_EQ(routes[1].method + " " + routes[1].pattern, "POST /api/v1/events");
  EXPECT_TRUE(routes[1].async);
  EXPECT_EQ(routes[2].method + " " + routes[2].pattern, "DELETE /x");
}

}  // namespace
}  // namespace ccm::core
