#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/sink.hpp"

// One deliver() call for a sink that sends one message per event and learns
// each message's outcome later (a broker's acknowledgement or delivery
// report), keeping the per-subject order of docs/delivery.md.
namespace ccm::sinks::common {

// The sink's side of the exchange. Called from the deliver() thread only.
class AcknowledgedTransport {
public:
  using MessageId = std::uint64_t;
  virtual ~AcknowledgedTransport() = default;

  // Sends batch[index]: the id its acknowledgement will carry, or its outcome
  // when it was not sent (an event the protocol cannot carry, a refused send).
  virtual std::variant<MessageId, sdk::Outcome> send(std::size_t index) = 0;
  // Blocks until one of `ids` has its outcome or `deadline` passes; returns
  // those that have one (each once).
  virtual std::vector<std::pair<MessageId, sdk::Outcome>> awaitAny(std::span<const MessageId> ids,
                                                                   std::chrono::steady_clock::time_point deadline) = 0;
  // Forgets `ids`: an acknowledgement that arrives for them later is ignored.
  virtual void abandon(std::span<const MessageId> ids) = 0;
};

// Sends the events of `batch`, those of one subject one after another, each
// after the previous one's outcome; events of other subjects, and events
// without a subject, go out without waiting. After a Retryable outcome
// nothing more of the batch is sent; what was not sent comes back Retryable
// ("not attempted: ..."). A message without an outcome `timeout` after it
// was sent is abandoned and Retryable with `timeout_message`.
std::vector<sdk::Outcome> deliverInSubjectOrder(const std::vector<sdk::CloudEvent>& batch,
                                                AcknowledgedTransport& transport, std::chrono::milliseconds timeout,
                                                const std::string& timeout_message);

}  // namespace ccm::sinks::common
