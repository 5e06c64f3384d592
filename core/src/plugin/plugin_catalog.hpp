#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ccm/sdk/result.hpp"
#include "config/json_schema.hpp"
#include "plugin/plugin_library.hpp"

namespace ccm::core {

// A loaded plugin with its compiled config schema.
struct AvailablePlugin {
  std::shared_ptr<PluginLibrary> library;
  std::shared_ptr<const JsonSchema> config_schema;
};

// The plugins found in the configured plugin directories. A library outside
// those directories (after resolving symlinks) is never loaded.
class PluginCatalog {
public:
  explicit PluginCatalog(std::vector<std::filesystem::path> directories);

  // Loads every "*.so" in the directories, in name order. A library that is
  // refused (see PluginLibrary::open) or repeats a plugin name is recorded in
  // refusals(), naming the file.
  void scan();

  // Loads one library by path; refused when outside the plugin directories.
  sdk::Result<AvailablePlugin> load(const std::filesystem::path& file);

  const AvailablePlugin* find(const std::string& name) const;
  const std::map<std::string, AvailablePlugin>& plugins() const { return plugins_; }
  const std::vector<sdk::Error>& refusals() const { return refusals_; }
  const std::vector<std::filesystem::path>& directories() const { return directories_; }

private:
  bool insideDirectories(const std::filesystem::path& canonical) const;

  std::vector<std::filesystem::path> directories_;
  std::map<std::string, AvailablePlugin> plugins_;
  std::vector<sdk::Error> refusals_;
};

}  // namespace ccm::core
