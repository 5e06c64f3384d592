#include "plugin/plugin_library.hpp"

#include <cstdint>

namespace ccm::core {
namespace {

sdk::Error refusal(const std::filesystem::path& file, const std::string& reason) {
  return {file.string(), "plugin " + file.string() + ": " + reason};
}

bool isKnownKind(sdk::PluginKind kind) {
  switch (kind) {
    case sdk::PluginKind::Sink:
    case sdk::PluginKind::Source:
    case sdk::PluginKind::PodGenerator:
    case sdk::PluginKind::AssessmentClient:
      return true;
  }
  return false;
}

bool hasFactoryFor(const sdk::PluginDescriptor& d) {
  switch (d.kind) {
    case sdk::PluginKind::Sink: return d.create_sink != nullptr;
    case sdk::PluginKind::Source: return d.create_source != nullptr;
    case sdk::PluginKind::PodGenerator: return d.create_pod_generator != nullptr;
    case sdk::PluginKind::AssessmentClient: return d.create_assessment_client != nullptr;
  }
  return false;
}

}  // namespace

const char* pluginKindName(sdk::PluginKind kind) {
  switch (kind) {
    case sdk::PluginKind::Sink: return "sink";
    case sdk::PluginKind::Source: return "source";
    case sdk::PluginKind::PodGenerator: return "pod_generator";
    case sdk::PluginKind::AssessmentClient: return "assessment_client";
  }
  return "unknown";
}

PluginLibrary::PluginLibrary(std::filesystem::path file, boost::dll::shared_library library,
                             const sdk::PluginDescriptor* descriptor)
    : file_(std::move(file)), library_(std::move(library)), descriptor_(descriptor) {}

sdk::Result<std::shared_ptr<PluginLibrary>> PluginLibrary::open(const std::filesystem::path& file) {
  boost::dll::fs::error_code ec;
  // rtld_now: an unresolved symbol is reported here, not as a crash later.
  boost::dll::shared_library library(file, ec, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec) return refusal(file, "cannot be loaded: " + ec.message());

  if (!library.has("ccm_plugin_abi_version")) {
    return refusal(file, "has no ccm_plugin_abi_version symbol (not a ccm-gateway plugin; use CCM_DEFINE_PLUGIN)");
  }
  const std::uint32_t abi = library.get<std::uint32_t()>("ccm_plugin_abi_version")();
  if (abi != sdk::kAbiVersion) {
    return refusal(file, "was built against plugin SDK ABI version " + std::to_string(abi) + ", this gateway needs " +
                             std::to_string(sdk::kAbiVersion) + " (rebuild it against the installed SDK)");
  }
  if (!library.has("ccm_plugin_descriptor")) {
    return refusal(file, "has no ccm_plugin_descriptor symbol (use CCM_DEFINE_PLUGIN)");
  }
  const sdk::PluginDescriptor* descriptor = library.get<const sdk::PluginDescriptor*()>("ccm_plugin_descriptor")();
  if (descriptor == nullptr) return refusal(file, "ccm_plugin_descriptor() returned null");
  if (descriptor->name == nullptr || *descriptor->name == '\0') return refusal(file, "descriptor has an empty name");
  if (descriptor->version == nullptr || *descriptor->version == '\0') {
    return refusal(file, "descriptor of \"" + std::string(descriptor->name) + "\" has an empty version");
  }
  if (!isKnownKind(descriptor->kind)) {
    return refusal(file, "descriptor of \"" + std::string(descriptor->name) + "\" has an unknown kind " +
                             std::to_string(static_cast<std::uint32_t>(descriptor->kind)));
  }
  if (!hasFactoryFor(*descriptor)) {
    return refusal(file, "descriptor of \"" + std::string(descriptor->name) + "\" has no factory for its kind " +
                             pluginKindName(descriptor->kind));
  }
  if (descriptor->config_schema == nullptr) {
    return refusal(file, "descriptor of \"" + std::string(descriptor->name) + "\" has no config schema");
  }
  return std::shared_ptr<PluginLibrary>(new PluginLibrary(file, std::move(library), descriptor));
}

}  // namespace ccm::core
