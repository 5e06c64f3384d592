#include "auth/roles.hpp"

namespace ccm::core {

std::string_view roleName(Role role) {
  switch (role) {
    case Role::Viewer:
      return "viewer";
    case Role::Operator:
      return "operator";
    case Role::Admin:
      return "admin";
  }
  return "admin";
}

std::optional<Role> roleNamed(std::string_view name) {
  for (auto role : {Role::Viewer, Role::Operator, Role::Admin}) {
    if (roleName(role) == name) return role;
  }
  return std::nullopt;
}

Role requiredRole(std::string_view method, std::string_view pattern) {
  if (method == "DELETE" || pattern.starts_with("/api/v1/admin/")) return Role::Admin;
  if (method == "GET" || method == "HEAD") return Role::Viewer;
  return Role::Operator;
}

}  // namespace ccm::core
