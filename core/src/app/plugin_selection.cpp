#include "app/plugin_selection.hpp"

#include <rapidjson/document.h>

#include "config/config_loader.hpp"

namespace ccm::core {
namespace {

std::string availableList(const PluginCatalog& catalog, sdk::PluginKind kind) {
  std::string names;
  for (const auto& [name, plugin] : catalog.plugins()) {
    if (plugin.library->descriptor().kind == kind) names += (names.empty() ? "\"" : ", \"") + name + "\"";
  }
  return names.empty() ? "none" : names;
}

std::optional<sdk::Error> check(const GatewayConfig& config, const PluginCatalog& catalog,
                                const PluginInstanceConfig& instance, sdk::PluginKind slot,
                                std::vector<SelectedPlugin>& out) {
  const std::string at = instance.pointer + "/plugin";
  const auto* plugin = catalog.find(instance.plugin);
  if (plugin == nullptr) {
    std::string message = at + ": no plugin named \"" + instance.plugin + "\" in the plugin directories (available " +
                          pluginKindName(slot) + " plugins: " + availableList(catalog, slot) + ")";
    for (const auto& refusal : catalog.refusals()) message += "; refused: " + refusal.message;
    return locateInFile({at, message}, config.file, config.value_lines);
  }
  const auto kind = plugin->library->descriptor().kind;
  if (kind != slot) {
    return locateInFile({at, at + ": plugin \"" + instance.plugin + "\" is a " + pluginKindName(kind) +
                                 " plugin, but this slot needs a " + pluginKindName(slot) + " plugin"},
                        config.file, config.value_lines);
  }
  rapidjson::Document document;
  document.Parse(instance.config_json.c_str(), instance.config_json.size());
  if (auto error = plugin->config_schema->validate(document, instance.pointer + "/config")) {
    return locateInFile({error->where, error->message + " (schema of plugin \"" + instance.plugin + "\")"}, config.file,
                        config.value_lines);
  }
  out.push_back({&instance, slot, plugin});
  return std::nullopt;
}

}  // namespace

sdk::Result<std::vector<SelectedPlugin>> selectPlugins(const GatewayConfig& config, const PluginCatalog& catalog) {
  std::vector<SelectedPlugin> selected;
  for (const auto& sink : config.sinks) {
    if (auto error = check(config, catalog, sink, sdk::PluginKind::Sink, selected)) return *error;
  }
  for (const auto& source : config.sources) {
    if (auto error = check(config, catalog, source, sdk::PluginKind::Source, selected)) return *error;
  }
  if (config.pod_generator) {
    if (auto error = check(config, catalog, *config.pod_generator, sdk::PluginKind::PodGenerator, selected)) {
      return *error;
    }
  }
  if (config.assessment_client) {
    if (auto error = check(config, catalog, *config.assessment_client, sdk::PluginKind::AssessmentClient, selected)) {
      return *error;
    }
  }
  return selected;
}

}  // namespace ccm::core
