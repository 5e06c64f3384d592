#include "pod_generator.hpp"

#include <rapidjson/document.h>

#include <exception>
#include <stdexcept>
#include <string_view>

namespace ccm::plugins::pod_generator {
namespace {

std::invalid_argument invalid(std::string_view key, const std::string& why) {
  return std::invalid_argument("pod-generator config \"" + std::string(key) + "\": " + why);
}

}  // namespace

PodGeneratorConfig parseConfig(const std::string& config_json) {
  rapidjson::Document document;
  const std::string json = config_json.empty() ? "{}" : config_json;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) {
    throw std::invalid_argument("pod-generator config: must be a JSON object");
  }
  PodGeneratorConfig config;
  for (const auto& member : document.GetObject()) {
    const std::string_view key(member.name.GetString(), member.name.GetStringLength());
    const std::string_view value =
        member.value.IsString() ? std::string_view(member.value.GetString(), member.value.GetStringLength()) : "";
    if (key == "collector") {
      if (value.empty()) throw invalid(key, "must be a non-empty string");
      config.collector = std::string(value);
    } else if (key == "hostname_from") {
      if (value == "label") {
        config.hostname_from = HostnameSource::Label;
      } else if (value == "configuration") {
        config.hostname_from = HostnameSource::Configuration;
      } else {
        throw invalid(key, "must be \"label\" or \"configuration\"");
      }
    } else {
      throw invalid(key, "is not a known setting (expected \"collector\" or \"hostname_from\")");
    }
  }
  return config;
}

CmlPodGenerator::CmlPodGenerator(const sdk::PluginContext& context) : config_(parseConfig(context.config_json)) {}

sdk::Result<std::string> CmlPodGenerator::generate(const sdk::PodRequest& request) {
  try {
    return buildPod(request, config_);
  } catch (const std::exception& e) {
    return sdk::Error{"pod", "session " + request.session_id + ": Pod generation failed: " + e.what()};
  }
}

}  // namespace ccm::plugins::pod_generator
