#include "knative_sink.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace ccm::sinks::knative {
namespace {

// The http sink checks the settings passed through to it; its errors are
// reported under this sink's name, since the operator wrote a knative config.
std::unique_ptr<http::HttpSink> makeHttpSink(const sdk::PluginContext& context, const KnativeSinkConfig& config) {
  try {
    return std::make_unique<http::HttpSink>(sdk::PluginContext{context.instance_name, config.http_config_json,
                                                               context.cloudevents_source, "", context.host});
  } catch (const std::invalid_argument& e) {
    constexpr std::string_view kHttp = "http sink";
    std::string message = e.what();
    if (message.starts_with(kHttp)) message.replace(0, kHttp.size(), "knative sink");
    throw std::invalid_argument(message);
  }
}

}  // namespace

KnativeSink::KnativeSink(const sdk::PluginContext& context)
    : config_(parseConfig(context)), http_(makeHttpSink(context, config_)) {}

std::vector<sdk::Outcome> KnativeSink::deliver(const std::vector<sdk::CloudEvent>& batch) {
  if (config_.overrides.empty()) return http_->deliver(batch);
  std::vector<sdk::CloudEvent> overridden = batch;
  for (auto& event : overridden) {
    for (const auto& [name, value] : config_.overrides) event.extensions[name] = value;
  }
  return http_->deliver(overridden);
}

}  // namespace ccm::sinks::knative
