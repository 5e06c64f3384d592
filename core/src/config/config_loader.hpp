#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>
#include <string_view>

#include "ccm/sdk/result.hpp"
#include "config/env_substitution.hpp"
#include "config/gateway_config.hpp"

namespace ccm::core {

// Reads, substitutes, overrides and validates a config file against the core
// schema (config/schema/gateway.schema.json). Plugin configs are validated
// later, against each plugin's schema, once the plugins are loaded.
// Errors read "FILE:LINE: /json/pointer: what was expected".
// Deepest nesting of objects and arrays a config file may have (the shipped
// schema and plugin configs need about six levels).
inline constexpr std::size_t kMaxConfigDepth = 64;

sdk::Result<GatewayConfig> loadConfigFile(const std::filesystem::path& file, const EnvLookup& env);
sdk::Result<GatewayConfig> loadConfigText(std::string_view text, const std::filesystem::path& file,
                                          const EnvLookup& env);

// Prefixes an error with "FILE:LINE: " using the line of its JSON pointer (or of
// the nearest enclosing value that has one).
sdk::Error locateInFile(const sdk::Error& error, const std::filesystem::path& file,
                        const std::map<std::string, int>& lines);

// The plugin directory compiled in for installed layouts, used when the
// config names none.
std::filesystem::path defaultPluginDirectory();
// Where the console's static files are looked for without server.console.directory:
// where the package installs them, then the source tree's (a build tree's `make run`).
std::vector<std::filesystem::path> defaultConsoleDirectories();

}  // namespace ccm::core
