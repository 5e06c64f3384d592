#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <boost/dll/shared_library.hpp>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/result.hpp"

namespace ccm::core {

// One loaded plugin library whose ABI version and descriptor were checked.
// Objects it creates hold a shared_ptr to it, so its code stays mapped for as
// long as any of them lives (Boost.DLL "missuses": a vtable into an unloaded
// library crashes the host).
class PluginLibrary {
public:
  // Loads `file` and checks, in this order: the ABI symbol, the ABI version,
  // the descriptor symbol, the descriptor's fields. Errors name the file.
  static sdk::Result<std::shared_ptr<PluginLibrary>> open(const std::filesystem::path& file);

  const std::filesystem::path& file() const { return file_; }
  const sdk::PluginDescriptor& descriptor() const { return *descriptor_; }
  std::string name() const { return descriptor_->name; }

private:
  PluginLibrary(std::filesystem::path file, boost::dll::shared_library library, const sdk::PluginDescriptor* descriptor);

  std::filesystem::path file_;
  boost::dll::shared_library library_;
  const sdk::PluginDescriptor* descriptor_;
};

const char* pluginKindName(sdk::PluginKind kind);

}  // namespace ccm::core
