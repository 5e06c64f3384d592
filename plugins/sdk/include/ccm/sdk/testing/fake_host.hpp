#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/secret.hpp"

// A Host for unit-testing a plugin without the gateway: it records log lines
// and metric values, lets the test set the clock, and resolves secrets the
// way the gateway does. makeHttpClient() uses `http_client_factory` when set.
namespace ccm::sdk::testing {

class FakeHost final : public Host, private Logger, private Metrics, private Clock {
public:
  struct LogRecord {
    LogLevel level;
    std::string message;
    LogFields fields;
  };

  std::function<std::unique_ptr<HttpClient>(const HttpClientOptions&)> http_client_factory;
  std::chrono::system_clock::time_point fixed_now{};  // epoch means "real time"

  Logger& logger() override { return *this; }
  Metrics& metrics() override { return *this; }
  const Clock& clock() override { return *this; }

  std::unique_ptr<HttpClient> makeHttpClient(const HttpClientOptions& options) override {
    return http_client_factory ? http_client_factory(options) : nullptr;
  }

  Result<std::string> resolveSecret(std::string_view reference) override {
    return readSecretReference(reference);
  }

  std::vector<LogRecord> logs() const {
    std::lock_guard lock(mutex_);
    return logs_;
  }
  // The last value set or the sum added, for a metric name and label set.
  double metricValue(const std::string& name, const MetricLabels& labels = {}) const {
    std::lock_guard lock(mutex_);
    auto it = values_.find(key(name, labels));
    return it == values_.end() ? 0.0 : it->second;
  }

private:
  void log(LogLevel level, std::string_view message, const LogFields& fields) override {
    std::lock_guard lock(mutex_);
    logs_.push_back({level, std::string(message), fields});
  }
  void describe(std::string_view, MetricType, std::string_view) override {}
  void add(std::string_view name, double value, const MetricLabels& labels) override {
    std::lock_guard lock(mutex_);
    values_[key(std::string(name), labels)] += value;
  }
  void set(std::string_view name, double value, const MetricLabels& labels) override {
    std::lock_guard lock(mutex_);
    values_[key(std::string(name), labels)] = value;
  }
  void observe(std::string_view name, double value, const MetricLabels& labels) override {
    add(std::string(name) + "_sum", value, labels);
    add(std::string(name) + "_count", 1, labels);
  }
  std::chrono::system_clock::time_point now() const override {
    return fixed_now == std::chrono::system_clock::time_point{} ? std::chrono::system_clock::now() : fixed_now;
  }
  static std::string key(const std::string& name, const MetricLabels& labels) {
    std::string k = name;
    for (const auto& [label, value] : labels) k += "|" + label + "=" + value;
    return k;
  }

  mutable std::mutex mutex_;
  std::vector<LogRecord> logs_;
  std::map<std::string, double> values_;
};

}  // namespace ccm::sdk::testing
