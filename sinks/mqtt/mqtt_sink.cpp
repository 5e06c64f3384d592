#include "mqtt_sink.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace ccm::sinks::mqtt {
namespace {

using Clock = std::chrono::steady_clock;

// By sdk::Outcome::Kind.
constexpr std::array<const char*, 3> kOutcomeNames = {"delivered", "retryable", "permanent"};

struct InFlight {
  std::size_t index;
  int mid;
  Clock::time_point deadline;
};

}  // namespace

constexpr std::string_view kMessagesCounter = "mqtt_sink_messages_total";

MqttSink::MqttSink(const sdk::PluginContext& context)
    : metrics_(context.host.metrics()), config_(parseConfig(context)), connection_(config_.connection, context.host) {
  metrics_.describe(kMessagesCounter, sdk::MetricType::Counter, "Events handed to the sink, by outcome");
}

std::vector<sdk::Outcome> MqttSink::deliver(const std::vector<sdk::CloudEvent>& batch) {
  std::vector<std::optional<sdk::Outcome>> outcomes(batch.size());
  // Per subject, its events not yet settled, in batch order: only the first
  // may be in flight, so a later event never overtakes an earlier one that
  // fails (docs/delivery.md, Ordering).
  std::map<std::string, std::deque<std::size_t>> waiting;
  std::deque<std::size_t> ready;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].subject) {
      ready.push_back(i);
      continue;
    }
    auto& queue = waiting[*batch[i].subject];
    queue.push_back(i);
    if (queue.size() == 1) ready.push_back(i);
  }

  bool stopped = false;  // a retryable outcome: publish nothing more
  std::vector<InFlight> in_flight;
  // Records an outcome and makes the next event of its subject ready.
  const auto settle = [&](std::size_t index, sdk::Outcome outcome) {
    if (outcome.kind == sdk::Outcome::Kind::Retryable) stopped = true;
    outcomes[index] = std::move(outcome);
    if (!batch[index].subject) return;
    auto& queue = waiting[*batch[index].subject];
    queue.pop_front();
    if (!queue.empty()) ready.push_back(queue.front());
  };

  for (;;) {
    while (!ready.empty() && !stopped) {
      const std::size_t index = ready.front();
      ready.pop_front();
      auto message = toMessage(batch[index], config_.topic, config_.mode, config_.connection.version);
      if (auto* failed = std::get_if<sdk::Outcome>(&message)) {
        settle(index, std::move(*failed));
        continue;
      }
      auto sent = connection_.publish(std::get<MqttMessage>(message));
      if (auto* failed = std::get_if<sdk::Outcome>(&sent)) {
        settle(index, std::move(*failed));
      } else {
        in_flight.push_back({index, std::get<int>(sent), Clock::now() + config_.timeout});
      }
    }
    if (in_flight.empty()) break;

    std::vector<int> mids;
    for (const auto& message : in_flight) mids.push_back(message.mid);
    const auto earliest = std::ranges::min(in_flight, {}, &InFlight::deadline).deadline;
    for (auto& [mid, outcome] : connection_.awaitAny(mids, earliest)) {
      const auto it = std::ranges::find(in_flight, mid, &InFlight::mid);
      const std::size_t index = it->index;
      in_flight.erase(it);
      settle(index, std::move(outcome));
    }
    const auto now = Clock::now();
    std::vector<int> expired;
    for (auto it = in_flight.begin(); it != in_flight.end();) {
      if (it->deadline > now) {
        ++it;
        continue;
      }
      expired.push_back(it->mid);
      settle(it->index, sdk::Outcome::retryable("no PUBACK within timeout_ms (" +
                                                std::to_string(config_.timeout.count()) + " ms)"));
      it = in_flight.erase(it);
    }
    connection_.abandon(expired);
  }

  std::vector<sdk::Outcome> result;
  result.reserve(batch.size());
  for (auto& outcome : outcomes) {
    result.push_back(outcome ? std::move(*outcome)
                             : sdk::Outcome::retryable("not attempted: an earlier event of this batch failed"));
    metrics_.add(kMessagesCounter, 1, {{"outcome", kOutcomeNames[static_cast<std::size_t>(result.back().kind)]}});
  }
  return result;
}

}  // namespace ccm::sinks::mqtt
