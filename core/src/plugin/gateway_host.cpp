#include "plugin/gateway_host.hpp"

#include "ccm/sdk/secret.hpp"
#include "observability/json_log.hpp"
#include "plugin/http_client.hpp"

namespace ccm::core {

GatewayHost::GatewayHost(std::string plugin, std::string instance, MetricsRegistry& metrics)
    : plugin_(std::move(plugin)),
      instance_(std::move(instance)),
      registry_(metrics),
      log_(Poco::Logger::get("ccm.plugin." + plugin_)) {}

std::unique_ptr<sdk::HttpClient> GatewayHost::makeHttpClient(const sdk::HttpClientOptions& options) {
  return std::make_unique<PooledHttpClient>(options);
}

sdk::Result<std::string> GatewayHost::resolveSecret(std::string_view reference) {
  return sdk::readSecretReference(reference);
}

void GatewayHost::log(sdk::LogLevel level, std::string_view message, const sdk::LogFields& fields) {
  sdk::LogFields all{{"plugin", plugin_}, {"instance", instance_}};
  all.insert(all.end(), fields.begin(), fields.end());
  logWithFields(log_, level, message, all);
}

std::string GatewayHost::prefixed(std::string_view name) const { return "ccm_plugin_" + std::string(name); }

sdk::MetricLabels GatewayHost::labelled(const sdk::MetricLabels& labels) const {
  sdk::MetricLabels all = labels;
  all.emplace_back("instance", instance_);
  return all;
}

void GatewayHost::describe(std::string_view name, sdk::MetricType type, std::string_view help) {
  registry_.describe(prefixed(name), type, help);
}
void GatewayHost::add(std::string_view name, double value, const sdk::MetricLabels& labels) {
  registry_.add(prefixed(name), value, labelled(labels));
}
void GatewayHost::set(std::string_view name, double value, const sdk::MetricLabels& labels) {
  registry_.set(prefixed(name), value, labelled(labels));
}
void GatewayHost::observe(std::string_view name, double value, const sdk::MetricLabels& labels) {
  registry_.observe(prefixed(name), value, labelled(labels));
}
std::chrono::system_clock::time_point GatewayHost::now() const { return std::chrono::system_clock::now(); }

}  // namespace ccm::core
