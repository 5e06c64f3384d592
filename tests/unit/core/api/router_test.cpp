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

}  // namespace
}  // namespace ccm::core
