#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <string>

#include "ccm/sdk/assessment_client.hpp"
#include "ccm/sdk/host.hpp"
#include "ccm/sdk/pod_generator.hpp"
#include "ccm/sdk/sink.hpp"
#include "ccm/sdk/source.hpp"

// The plugin contract. A plugin library exports two extern "C" symbols:
//   std::uint32_t ccm_plugin_abi_version()  -- checked before anything else
//   const ccm::sdk::PluginDescriptor* ccm_plugin_descriptor()
// CCM_DEFINE_PLUGIN(descriptor) defines both.
namespace ccm::sdk {

// Bumped whenever a type in this SDK changes layout or meaning. The loader
// refuses a library built against another version (Boost.DLL gives no ABI
// stability: same compiler, standard library and flags on both sides).
inline constexpr std::uint32_t kAbiVersion = 2;

enum class PluginKind : std::uint32_t { Sink = 1, Source = 2, PodGenerator = 3, AssessmentClient = 4 };

// Everything a factory gets. References stay valid for the object's lifetime.
struct PluginContext {
  std::string instance_name;       // the name the config gives this instance
  std::string config_json;         // the instance's "config" object, already
                                   // validated against the plugin's schema
  std::string cloudevents_source;  // CLOUDEVENTS_SOURCE / cloudevents.source
  std::string default_sink_url;    // CLOUDEVENTS_SINK_URL / cloudevents.sink_url
  Host& host;
};

// A factory's answer: the object, or why it could not be made.
template <class T>
struct Created {
  std::unique_ptr<T> object;
  std::string error;
};

template <class T>
using Factory = Created<T> (*)(const PluginContext&) noexcept;

struct PluginDescriptor {
  const char* name;           // unique among loaded plugins, e.g. "file"
  PluginKind kind;
  const char* version;        // the plugin's own version, e.g. "1.2.0"
  const char* description;    // one line
  const char* config_schema;  // JSON Schema of the instance's "config" object
  // Exactly the factory that matches `kind` is set.
  Factory<Sink> create_sink = nullptr;
  Factory<Source> create_source = nullptr;
  Factory<PodGenerator> create_pod_generator = nullptr;
  Factory<AssessmentClient> create_assessment_client = nullptr;
};

// A factory for class T (constructed from a PluginContext) that turns any
// exception into an error, so none crosses the plugin boundary.
template <class T, class Interface>
Created<Interface> construct(const PluginContext& context) noexcept {
  try {
    return {std::make_unique<T>(context), {}};
  } catch (const std::exception& e) {
    return {nullptr, e.what()};
  } catch (...) {
    return {nullptr, "unknown exception during construction"};
  }
}

}  // namespace ccm::sdk

#define CCM_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

#define CCM_DEFINE_PLUGIN(descriptor)                                                 \
  CCM_PLUGIN_EXPORT std::uint32_t ccm_plugin_abi_version() noexcept {                 \
    return ::ccm::sdk::kAbiVersion;                                                   \
  }                                                                                   \
  CCM_PLUGIN_EXPORT const ::ccm::sdk::PluginDescriptor* ccm_plugin_descriptor() noexcept { \
    return &(descriptor);                                                             \
  }
