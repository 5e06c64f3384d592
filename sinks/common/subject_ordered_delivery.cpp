#include "subject_ordered_delivery.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>

namespace ccm::sinks::common {
namespace {

using Clock = std::chrono::steady_clock;

struct InFlight {
  std::size_t index;
  AcknowledgedTransport::MessageId id;
  Clock::time_point deadline;
};

}  // namespace

std::vector<sdk::Outcome> deliverInSubjectOrder(const std::vector<sdk::CloudEvent>& batch,
                                                AcknowledgedTransport& transport, std::chrono::milliseconds timeout,
                                                const std::string& timeout_message) {
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

  bool stopped = false;  // a retryable outcome: send nothing more
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
      auto sent = transport.send(index);
      if (auto* failed = std::get_if<sdk::Outcome>(&sent)) {
        settle(index, std::move(*failed));
      } else {
        in_flight.push_back({index, std::get<AcknowledgedTransport::MessageId>(sent), Clock::now() + timeout});
      }
    }
    if (in_flight.empty()) break;

    std::vector<AcknowledgedTransport::MessageId> ids;
    for (const auto& message : in_flight) ids.push_back(message.id);
    const auto earliest = std::ranges::min(in_flight, {}, &InFlight::deadline).deadline;
    for (auto& [id, outcome] : transport.awaitAny(ids, earliest)) {
      const auto it = std::ranges::find(in_flight, id, &InFlight::id);
      if (it == in_flight.end()) continue;
      const std::size_t index = it->index;
      in_flight.erase(it);
      settle(index, std::move(outcome));
    }
    const auto now = Clock::now();
    std::vector<AcknowledgedTransport::MessageId> expired;
    for (auto it = in_flight.begin(); it != in_flight.end();) {
      if (it->deadline > now) {
        ++it;
        continue;
      }
      expired.push_back(it->id);
      settle(it->index, sdk::Outcome::retryable(timeout_message));
      it = in_flight.erase(it);
    }
    if (!expired.empty()) transport.abandon(expired);
  }

  std::vector<sdk::Outcome> result;
  result.reserve(batch.size());
  for (auto& outcome : outcomes) {
    result.push_back(outcome ? std::move(*outcome)
                             : sdk::Outcome::retryable("not attempted: an earlier event of this batch failed"));
  }
  return result;
}

}  // namespace ccm::sinks::common
