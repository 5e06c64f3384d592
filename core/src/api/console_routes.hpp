#pragma once

#include <memory>
#include <string>

#include "api/console_files.hpp"
#include "api/router.hpp"

namespace ccm::core {

// What the console needs to know to sign a user in (GET /console/config.json).
struct ConsoleSignIn {
  bool auth_required = false;  // server.auth is set: every API call needs credentials
  std::string oidc_issuer;     // server.auth.oidc.issuer ("" without OIDC)
  std::string oidc_client_id;  // server.console.oidc_client_id ("" = API keys only)
};

// GET /console and /console/{file}: the console's static files, to anyone
// (they hold no data; every API call the console makes carries the user's
// credentials), with headers that keep the page to its own scripts
// (Content-Security-Policy) and its files to their types (nosniff).
void addConsoleRoutes(Router& router, std::shared_ptr<const ConsoleFiles> files, ConsoleSignIn sign_in);

// The Content-Security-Policy of the console's pages: scripts, styles and
// API calls from the gateway itself, plus calls to the OIDC issuer when set.
std::string consoleContentSecurityPolicy(const std::string& oidc_issuer);

}  // namespace ccm::core
