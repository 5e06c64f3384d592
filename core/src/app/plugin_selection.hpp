#pragma once

#include <optional>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/result.hpp"
#include "config/gateway_config.hpp"
#include "plugin/plugin_catalog.hpp"

namespace ccm::core {

// One config instance matched to its plugin, its config already validated
// against the plugin's schema.
struct SelectedPlugin {
  const PluginInstanceConfig* instance;
  sdk::PluginKind slot;
  const AvailablePlugin* plugin;
};

// Matches every instance the config selects to a loaded plugin of the right
// kind and validates its "config" against that plugin's schema. Errors name
// the file, line and JSON pointer; a missing plugin lists what is available
// and what was refused.
sdk::Result<std::vector<SelectedPlugin>> selectPlugins(const GatewayConfig& config, const PluginCatalog& catalog);

}  // namespace ccm::core
