#include "observability/metrics_registry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ccm::core {
namespace {

const std::vector<double> kDefaultBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr std::string_view kMisuse = "ccm_metrics_misuse_total";

std::string formatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  // The shortest text that reads back as the same double: "0.1", not
  // "0.10000000000000001", so that queries such as le="0.1" match.
  char buffer[32];
  const auto written = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, written.ptr);
}

void appendEscapedLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

std::string escapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

const char* typeName(sdk::MetricType type) {
  switch (type) {
    case sdk::MetricType::Counter: return "counter";
    case sdk::MetricType::Gauge: return "gauge";
    case sdk::MetricType::Histogram: return "histogram";
  }
  return "untyped";
}

// Adds one label to an already rendered label set.
std::string withLabel(const std::string& rendered, const std::string& extra) {
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string renderLabels(const sdk::MetricLabels& labels) {
  if (labels.empty()) return "";
  // Every request counts itself under a few labels: render them in place
  // when they come sorted, as callers mostly pass them.
  const sdk::MetricLabels* in_order = &labels;
  sdk::MetricLabels sorted;
  if (!std::is_sorted(labels.begin(), labels.end())) {
    sorted = labels;
    std::sort(sorted.begin(), sorted.end());
    in_order = &sorted;
  }
  std::string out;
  out.reserve(64);
  out += '{';
  for (const auto& [name, value] : *in_order) {
    if (out.size() > 1) out += ',';
    out += name;
    out += "=\"";
    appendEscapedLabelValue(out, value);
    out += '"';
  }
  out += '}';
  return out;
}

bool MetricsRegistry::isValidName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

MetricsRegistry::MetricsRegistry() {
  describe(kMisuse, sdk::MetricType::Counter, "Metric calls ignored because the name was undescribed or misused.");
}

void MetricsRegistry::describe(std::string_view name, sdk::MetricType type, std::string_view help,
                               std::vector<double> buckets) {
  std::lock_guard lock(mutex_);
  if (!isValidName(name)) return;
  auto [it, inserted] = families_.try_emplace(std::string(name));
  if (!inserted) return;  // first description wins; describing twice is harmless
  it->second.type = type;
  it->second.help = std::string(help);
  if (type == sdk::MetricType::Histogram) {
    it->second.buckets = buckets.empty() ? kDefaultBuckets : std::move(buckets);
    std::sort(it->second.buckets.begin(), it->second.buckets.end());
  }
}

MetricsRegistry::Family* MetricsRegistry::familyFor(std::string_view name, sdk::MetricType type) {
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != type) return nullptr;
  return &it->second;
}

void MetricsRegistry::misuse() { families_.find(kMisuse)->second.series[""].value += 1; }

void MetricsRegistry::add(std::string_view name, double value, const sdk::MetricLabels& labels) {
  std::lock_guard lock(mutex_);
  auto* family = familyFor(name, sdk::MetricType::Counter);
  if (family == nullptr || value < 0) return misuse();
  family->series[renderLabels(labels)].value += value;
}

void MetricsRegistry::set(std::string_view name, double value, const sdk::MetricLabels& labels) {
  std::lock_guard lock(mutex_);
  auto* family = familyFor(name, sdk::MetricType::Gauge);
  if (family == nullptr) return misuse();
  family->series[renderLabels(labels)].value = value;
}

void MetricsRegistry::observe(std::string_view name, double value, const sdk::MetricLabels& labels) {
  std::lock_guard lock(mutex_);
  auto* family = familyFor(name, sdk::MetricType::Histogram);
  if (family == nullptr) return misuse();
  auto& series = family->series[renderLabels(labels)];
  series.bucket_counts.resize(family->buckets.size());
  for (std::size_t i = 0; i < family->buckets.size(); ++i) {
    if (value <= family->buckets[i]) ++series.bucket_counts[i];
  }
  series.sum += value;
  ++series.count;
}

double MetricsRegistry::value(std::string_view name, const sdk::MetricLabels& labels) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto series = it->second.series.find(renderLabels(labels));
  return series == it->second.series.end() ? 0 : series->second.value;
}

std::string MetricsRegistry::renderPrometheus() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + escapeHelp(family.help) + "\n";
    out += "# TYPE " + name + " " + typeName(family.type) + "\n";
    if (family.type != sdk::MetricType::Histogram) {
      // A counter with no series yet is still shown as 0 so dashboards see it.
      if (family.series.empty()) out += name + " 0\n";
      for (const auto& [labels, series] : family.series) out += name + labels + " " + formatNumber(series.value) + "\n";
      continue;
    }
    for (const auto& [labels, series] : family.series) {
      for (std::size_t i = 0; i < family.buckets.size(); ++i) {
        const auto count = i < series.bucket_counts.size() ? series.bucket_counts[i] : 0;
        out += name + "_bucket" + withLabel(labels, "le=\"" + formatNumber(family.buckets[i]) + "\"") + " " +
               std::to_string(count) + "\n";
      }
      out += name + "_bucket" + withLabel(labels, "le=\"+Inf\"") + " " + std::to_string(series.count) + "\n";
      out += name + "_sum" + labels + " " + formatNumber(series.sum) + "\n";
      out += name + "_count" + labels + " " + std::to_string(series.count) + "\n";
    }
  }
  return out;
}

}  // namespace ccm::core
