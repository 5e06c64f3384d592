#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ccm/sdk/host.hpp"

namespace ccm::core {

// Counters, gauges and histograms rendered in the Prometheus text exposition
// format 0.0.4. Thread-safe. A metric must be described before use; using an
// undescribed name, or a name with another type, is ignored and counted in
// ccm_metrics_misuse_total so a plugin bug cannot take the gateway down.
class MetricsRegistry {
public:
  MetricsRegistry();

  void describe(std::string_view name, sdk::MetricType type, std::string_view help,
                std::vector<double> buckets = {});
  void add(std::string_view name, double value, const sdk::MetricLabels& labels = {});
  void set(std::string_view name, double value, const sdk::MetricLabels& labels = {});
  void observe(std::string_view name, double value, const sdk::MetricLabels& labels = {});

  // Current value of a counter or gauge series (0 when absent).
  double value(std::string_view name, const sdk::MetricLabels& labels = {}) const;

  std::string renderPrometheus() const;

  static bool isValidName(std::string_view name);

private:
  struct Series {
    double value = 0;
    std::vector<std::uint64_t> bucket_counts;
    double sum = 0;
    std::uint64_t count = 0;
  };
  struct Family {
    sdk::MetricType type;
    std::string help;
    std::vector<double> buckets;
    std::map<std::string, Series> series;  // by rendered label set
  };

  Family* familyFor(std::string_view name, sdk::MetricType type);
  void misuse();

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

// Renders a label set as Prometheus does: {a="x",b="y"}, values escaped.
std::string renderLabels(const sdk::MetricLabels& labels);

}  // namespace ccm::core
