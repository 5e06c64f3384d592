#pragma once

#include <memory>
#include <string>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/result.hpp"
#include "plugin/plugin_library.hpp"

namespace ccm::core {

namespace detail {
template <class T>
sdk::Factory<T> factoryOf(const sdk::PluginDescriptor& d) {
  if constexpr (std::is_same_v<T, sdk::Sink>) return d.kind == sdk::PluginKind::Sink ? d.create_sink : nullptr;
  if constexpr (std::is_same_v<T, sdk::Source>) return d.kind == sdk::PluginKind::Source ? d.create_source : nullptr;
  if constexpr (std::is_same_v<T, sdk::PodGenerator>) {
    return d.kind == sdk::PluginKind::PodGenerator ? d.create_pod_generator : nullptr;
  }
  if constexpr (std::is_same_v<T, sdk::AssessmentClient>) {
    return d.kind == sdk::PluginKind::AssessmentClient ? d.create_assessment_client : nullptr;
  }
}
// inline: an explicit specialization is no template, and clang defines it in
// every file that includes this header (a duplicate symbol at link time).
template <class T> inline constexpr const char* kSlotName = "";
template <> inline constexpr const char* kSlotName<sdk::Sink> = "sink";
template <> inline constexpr const char* kSlotName<sdk::Source> = "source";
template <> inline constexpr const char* kSlotName<sdk::PodGenerator> = "pod_generator";
template <> inline constexpr const char* kSlotName<sdk::AssessmentClient> = "assessment_client";
}  // namespace detail

// Creates an object of interface T from `library`. The returned shared_ptr's
// deleter destroys the object first and only then releases its hold on the
// library, so the library outlives everything it made.
template <class T>
sdk::Result<std::shared_ptr<T>> instantiate(const std::shared_ptr<PluginLibrary>& library,
                                            const sdk::PluginContext& context) {
  const auto& d = library->descriptor();
  const auto factory = detail::factoryOf<T>(d);
  const std::string what = "plugin \"" + std::string(d.name) + "\" (" + library->file().string() + ")";
  if (factory == nullptr) {
    return sdk::Error{library->file().string(), what + " is a " + pluginKindName(d.kind) + " plugin and cannot serve as " +
                                                    detail::kSlotName<T> + " \"" + context.instance_name + "\""};
  }
  sdk::Created<T> created = factory(context);
  if (!created.object) {
    return sdk::Error{library->file().string(), what + " refused instance \"" + context.instance_name +
                                                    "\": " + (created.error.empty() ? "no reason given" : created.error)};
  }
  return std::shared_ptr<T>(created.object.release(), [library](T* object) { delete object; });
}

}  // namespace ccm::core
