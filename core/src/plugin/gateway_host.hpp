#pragma once

#include <string>

#include <Poco/Logger.h>

#include "ccm/sdk/host.hpp"
#include "observability/metrics_registry.hpp"

namespace ccm::core {

// The Host one plugin instance sees: its logs carry "plugin" and "instance"
// fields; its metric names get the "ccm_plugin_" prefix and an "instance" label.
class GatewayHost final : public sdk::Host, private sdk::Logger, private sdk::Metrics, private sdk::Clock {
public:
  GatewayHost(std::string plugin, std::string instance, MetricsRegistry& metrics);

  sdk::Logger& logger() override { return *this; }
  sdk::Metrics& metrics() override { return *this; }
  const sdk::Clock& clock() override { return *this; }
  std::unique_ptr<sdk::HttpClient> makeHttpClient(const sdk::HttpClientOptions& options) override;
  sdk::Result<std::string> resolveSecret(std::string_view reference) override;

private:
  void log(sdk::LogLevel level, std::string_view message, const sdk::LogFields& fields) override;
  void describe(std::string_view name, sdk::MetricType type, std::string_view help) override;
  void add(std::string_view name, double value, const sdk::MetricLabels& labels) override;
  void set(std::string_view name, double value, const sdk::MetricLabels& labels) override;
  void observe(std::string_view name, double value, const sdk::MetricLabels& labels) override;
  std::chrono::system_clock::time_point now() const override;

  std::string prefixed(std::string_view name) const;
  sdk::MetricLabels labelled(const sdk::MetricLabels& labels) const;

  std::string plugin_;
  std::string instance_;
  MetricsRegistry& registry_;
  Poco::Logger& log_;
};

}  // namespace ccm::core
