#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The management API's roles and which one each route needs (docs/security.md).
namespace ccm::core {

// Ordered: each role includes the ones below it.
enum class Role { Viewer = 1, Operator = 2, Admin = 3 };

std::string_view roleName(Role role);
// "viewer", "operator" or "admin"; std::nullopt for anything else.
std::optional<Role> roleNamed(std::string_view name);

// The role a request to a route needs: DELETE and everything under
// /api/v1/admin/ change what cannot be undone or the gateway itself (admin);
// GET and HEAD elsewhere read (viewer); every other method is a command
// (operator).
// `pattern` is the route's pattern, or the request path when no route matched.
Role requiredRole(std::string_view method, std::string_view pattern);

// The roles `granted` hold, by name, and the highest of them.
struct GrantedRoles {
  std::vector<std::string> names;  // as granted (an identity provider's names, or ours)
  std::optional<Role> highest;
  bool allows(Role needed) const { return highest && *highest >= needed; }
};

}  // namespace ccm::core
