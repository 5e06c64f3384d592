#include "common/packed_delivery.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <utility>

namespace ccm::sinks::common {
namespace {

constexpr std::string_view kNotAttempted = "not attempted: an earlier request of this batch failed";

// Where the request that starts at entry `begin` ends: as many entries as the limits allow, at least one.
std::size_t requestEnd(const std::vector<Entry>& entries, std::size_t begin, const RequestLimits& limits) {
  std::size_t end = begin + 1;
  std::size_t bytes = limits.framing_bytes + entries[begin].bytes;
  while (end < entries.size() && end - begin < limits.max_entries && entries[end].group == entries[begin].group &&
         bytes + limits.separator_bytes + entries[end].bytes <= limits.max_bytes) {
    bytes += limits.separator_bytes + entries[end].bytes;
    ++end;
  }
  return end;
}

// Reorders the entries so that each group's are adjacent, groups in the order
// of their first entry, keeping the order within a group (a stable sort).
void groupTogether(std::vector<Entry>& entries, std::vector<std::size_t>& event_of) {
  std::map<std::string_view, std::size_t> rank;
  for (const auto& entry : entries) rank.try_emplace(entry.group, rank.size());
  if (rank.size() < 2) return;
  std::vector<std::size_t> order(entries.size());
  std::iota(order.begin(), order.end(), 0);
  std::ranges::stable_sort(order, {}, [&](std::size_t i) { return rank.at(entries[i].group); });
  std::vector<Entry> grouped;
  std::vector<std::size_t> grouped_events;
  for (const std::size_t i : order) {
    grouped.push_back(std::move(entries[i]));
    grouped_events.push_back(event_of[i]);
  }
  entries = std::move(grouped);
  event_of = std::move(grouped_events);
}

}  // namespace

std::vector<sdk::Outcome> deliverInRequests(const std::vector<sdk::CloudEvent>& batch,
                                            const std::function<Prepared(const sdk::CloudEvent&)>& prepare,
                                            const RequestLimits& limits, const SendRequest& send) {
  std::vector<std::optional<sdk::Outcome>> outcomes(batch.size());
  try {
    std::vector<Entry> entries;
    std::vector<std::size_t> event_of;  // the batch index of each entry
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Prepared prepared = prepare(batch[i]);
      if (auto* entry = std::get_if<Entry>(&prepared)) {
        entry->trace = sdk::readTraceExtensions(batch[i]).context;
        entries.push_back(std::move(*entry));
        event_of.push_back(i);
      } else {
        outcomes[i] = std::get<sdk::Outcome>(std::move(prepared));
      }
    }
    groupTogether(entries, event_of);
    for (std::size_t begin = 0; begin < entries.size();) {
      const std::size_t end = requestEnd(entries, begin, limits);
      const auto results = send(std::span<const Entry>(entries).subspan(begin, end - begin));
      if (results.size() != end - begin) throw std::logic_error("a request returned the wrong number of outcomes");
      const sdk::Outcome* retryable = nullptr;
      for (std::size_t k = 0; k < results.size(); ++k) {
        outcomes[event_of[begin + k]] = results[k];
        if (retryable == nullptr && results[k].kind == sdk::Outcome::Kind::Retryable) retryable = &results[k];
      }
      begin = end;
      if (retryable != nullptr) {
        for (; begin < entries.size(); ++begin) {
          outcomes[event_of[begin]] = sdk::Outcome::retryable(std::string(kNotAttempted), retryable->retry_after);
        }
      }
    }
  } catch (const std::exception& e) {
    for (auto& outcome : outcomes) {
      if (!outcome) outcome = sdk::Outcome::retryable(e.what());
    }
  }
  std::vector<sdk::Outcome> result;
  result.reserve(outcomes.size());
  for (auto& outcome : outcomes) result.push_back(std::move(*outcome));
  return result;
}

sdk::HttpHeaders traceHeaders(std::span<const Entry> entries) {
  std::vector<std::optional<sdk::TraceContext>> traces;
  traces.reserve(entries.size());
  for (const auto& entry : entries) traces.push_back(entry.trace);
  const auto shared = sdk::sharedTraceContext(traces);
  return shared ? sdk::traceHeaders(*shared) : sdk::HttpHeaders{};
}

std::string jsonArray(std::span<const Entry> entries) {
  std::string array = "[";
  for (const auto& entry : entries) {
    if (array.size() > 1) array += ',';
    array += entry.encoded;
  }
  return array + "]";
}

}  // namespace ccm::sinks::common
