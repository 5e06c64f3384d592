#include "api/error_status.hpp"

#include <gtest/gtest.h>

#include <set>

namespace ccm::core {
namespace {

constexpr ErrorCategory kAll[] = {ErrorCategory::Invalid,
                                  ErrorCategory::Unauthenticated,
                                  ErrorCategory::Forbidden,
                                  ErrorCategory::NotFound,
                                  ErrorCategory::Conflict, ErrorCategory::Gone,
                                  ErrorCategory::TooLarge,
                                  ErrorCategory::UnsupportedMediaType,
                                  ErrorCategory::Unprocessable,
                                  ErrorCategory::Unavailable,
                                  ErrorCategory::Internal};

TEST(ErrorStatus, EachCategoryHasTheStatusDocsApiMdPromises) {
  EXPECT_EQ(httpStatus(ErrorCategory::Invalid), 400);
  EXPECT_EQ(httpStatus(ErrorCategory::Unauthenticated), 401);
  EXPECT_EQ(httpStatus(ErrorCategory::Forbidden), 403);
  EXPECT_EQ(httpStatus(ErrorCategory::NotFound), 404);
  EXPECT_EQ(httpStatus(ErrorCategory::Conflict), 409);
  EXPECT_EQ(httpStatus(ErrorCategory::Gone), 410);
  EXPECT_EQ(httpStatus(ErrorCategory::TooLarge), 413);
  EXPECT_EQ(httpStatus(ErrorCategory::UnsupportedMediaType), 415);
  EXPECT_EQ(httpStatus(ErrorCategory::Unprocessable), 422);
  EXPECT_EQ(httpStatus(ErrorCategory::Unavailable), 503);
  EXPECT_EQ(httpStatus(ErrorCategory::Internal), 500);
}

TEST(ErrorStatus, CategoriesHaveDistinctNames) {
  std::set<std::string_view> names;
  for (auto category : kAll) names.insert(toString(category));
  EXPECT_EQ(names.size(), std::size(kAll));
  EXPECT_EQ(toString(ErrorCategory::NotFound), "not_found");
}

TEST(ErrorStatus, ErrorFactoriesSetTheCategoryAndField) {
  const Error conflict = Error::conflict("session is stopped");
  EXPECT_EQ(conflict.category, ErrorCategory::Conflict);
  EXPECT_EQ(conflict.field, "state");
  const Error invalid = Error::invalid("bad limit", "limit");
  EXPECT_EQ(invalid.category, ErrorCategory::Invalid);
  EXPECT_EQ(invalid.field, "limit");
  const Expected<int> refused = Error::notFound("no such session");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().detail, "no such session");
}

}  // namespace
}  // namespace ccm::core
