#include "plugin/plugin_catalog.hpp"

#include <algorithm>

namespace ccm::core {

namespace fs = std::filesystem;

PluginCatalog::PluginCatalog(std::vector<fs::path> directories) : directories_(std::move(directories)) {}

bool PluginCatalog::insideDirectories(const fs::path& canonical) const {
  for (const auto& dir : directories_) {
    std::error_code ec;
    const fs::path root = fs::canonical(dir, ec);
    if (ec) continue;
    const auto [root_end, ignored] = std::mismatch(root.begin(), root.end(), canonical.begin(), canonical.end());
    if (root_end == root.end()) return true;
  }
  return false;
}

sdk::Result<AvailablePlugin> PluginCatalog::load(const fs::path& file) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(file, ec);
  if (ec) return sdk::Error{file.string(), "plugin " + file.string() + ": " + ec.message()};
  if (!insideDirectories(canonical)) {
    std::string dirs;
    for (const auto& dir : directories_) dirs += (dirs.empty() ? "" : ", ") + dir.string();
    return sdk::Error{file.string(), "plugin " + file.string() + ": resolves to " + canonical.string() +
                                         ", outside the configured plugin directories (" + dirs + ")"};
  }
  auto library = PluginLibrary::open(file);
  if (!library) return library.error();
  const auto& descriptor = library.value()->descriptor();
  const std::string name = descriptor.name;
  if (const auto* existing = find(name)) {
    return sdk::Error{file.string(), "plugin " + file.string() + ": plugin name \"" + name + "\" is already provided by " +
                                         existing->library->file().string()};
  }
  auto schema = JsonSchema::compile(descriptor.config_schema, "config schema of plugin \"" + name + "\"");
  if (!schema) return sdk::Error{file.string(), "plugin " + file.string() + ": " + schema.error().message};
  AvailablePlugin plugin{library.value(), schema.value()};
  plugins_.emplace(name, plugin);
  return plugin;
}

void PluginCatalog::scan() {
  std::vector<fs::path> files;
  for (const auto& dir : directories_) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      refusals_.push_back({dir.string(), "plugin directory " + dir.string() + " does not exist or is not a directory"});
      continue;
    }
    std::vector<fs::path> in_dir;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".so" && entry.is_regular_file(ec)) in_dir.push_back(entry.path());
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  for (const auto& file : files) {
    if (auto loaded = load(file); !loaded) refusals_.push_back(loaded.error());
  }
}

const AvailablePlugin* PluginCatalog::find(const std::string& name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : &it->second;
}

}  // namespace ccm::core
