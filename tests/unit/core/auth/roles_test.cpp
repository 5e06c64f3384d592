#include <gtest/gtest.h>

#include "auth/roles.hpp"

namespace ccm::core {
namespace {

TEST(Roles, ReadingNeedsViewerCommandsOperatorAndWhatCannotBeUndoneAdmin) {
  EXPECT_EQ(requiredRole("GET", "/api/v1/sessions"), Role::Viewer);
  EXPECT_EQ(requiredRole("HEAD", "/metrics"), Role::Viewer);
  EXPECT_EQ(requiredRole("POST", "/api/v1/sessions/{id}/terminate"), Role::Operator);
  EXPECT_EQ(requiredRole("POST", "/api/v1/deadletters/{id}/replay"), Role::Operator);
  EXPECT_EQ(requiredRole("PUT", "/api/v1/anything"), Role::Operator);
  EXPECT_EQ(requiredRole("DELETE", "/api/v1/deadletters"), Role::Admin);
  EXPECT_EQ(requiredRole("POST", "/api/v1/admin/reload"), Role::Admin);
  EXPECT_EQ(requiredRole("GET", "/api/v1/admin/anything"), Role::Admin) << "admin routes, whatever the method";
}

TEST(Roles, EachRoleIncludesTheOnesBelow) {
  const GrantedRoles operator_{{"operator"}, Role::Operator};
  EXPECT_TRUE(operator_.allows(Role::Viewer));
  EXPECT_TRUE(operator_.allows(Role::Operator));
  EXPECT_FALSE(operator_.allows(Role::Admin));
  EXPECT_FALSE(GrantedRoles{}.allows(Role::Viewer));
  EXPECT_EQ(roleNamed("admin"), Role::Admin);
  EXPECT_EQ(roleNamed("Admin"), std::nullopt);
  EXPECT_EQ(roleName(Role::Operator), "operator");
}

}  // namespace
}  // namespace ccm::core
