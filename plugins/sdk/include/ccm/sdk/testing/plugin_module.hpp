#pragma once

#include <dlfcn.h>

#include <cstdint>
#include <string>

#include "ccm/sdk/plugin.hpp"

namespace ccm::sdk::testing {

// A built plugin library opened the way the gateway opens one (RTLD_NOW |
// RTLD_LOCAL), for testing what it exports: its ABI version and descriptor.
// Closed when destroyed, so destroy the objects it created first.
class PluginModule {
public:
  explicit PluginModule(const std::string& path) : handle_(::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    if (handle_ == nullptr) error_ = ::dlerror();
  }
  ~PluginModule() {
    if (handle_ != nullptr) ::dlclose(handle_);
  }
  PluginModule(const PluginModule&) = delete;
  PluginModule& operator=(const PluginModule&) = delete;

  bool loaded() const { return handle_ != nullptr; }
  // Why dlopen() failed.
  const std::string& error() const { return error_; }

  // What the exported ccm_plugin_abi_version() returns; 0 when it is missing.
  std::uint32_t abiVersion() const {
    const auto function = reinterpret_cast<std::uint32_t (*)()>(symbol("ccm_plugin_abi_version"));
    return function != nullptr ? function() : 0;
  }
  // What the exported ccm_plugin_descriptor() returns; nullptr when it is missing.
  const PluginDescriptor* descriptor() const {
    const auto function = reinterpret_cast<const PluginDescriptor* (*)()>(symbol("ccm_plugin_descriptor"));
    return function != nullptr ? function() : nullptr;
  }

private:
  void* symbol(const char* name) const { return handle_ != nullptr ? ::dlsym(handle_, name) : nullptr; }

  void* handle_;
  std::string error_;
};

}  // namespace ccm::sdk::testing
