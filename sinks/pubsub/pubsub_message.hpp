#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/packed_delivery.hpp"

// Pub/Sub's projects.topics.publish (REST v1) as pure functions: a CloudEvent
// as a PubsubMessage in the CloudEvents Google Cloud Pub/Sub protocol binding,
// the request body, and what the answer means for the request's events.
namespace ccm::sinks::pubsub {

// Pub/Sub "Quotas and limits", resource limits. A megabyte is 1,000,000
// bytes there (the service answers "the maximum value is 10000000").
inline constexpr std::size_t kMaxMessagesPerRequest = 1000;
inline constexpr std::size_t kMaxRequestBytes = 10'000'000;
inline constexpr std::size_t kMaxDataBytes = 10'000'000;
inline constexpr std::size_t kMaxAttributes = 100;
inline constexpr std::size_t kMaxAttributeKeyBytes = 256;
inline constexpr std::size_t kMaxAttributeValueBytes = 1024;
inline constexpr std::size_t kMaxOrderingKeyBytes = 1024;

// The body around the messages: {"messages":[ ... ]}.
inline constexpr std::size_t kRequestFramingBytes = 15;

enum class ContentMode {
  Binary,      // attributes as "ce-" message attributes, datacontenttype as "content-type", data as the message data
  Structured,  // the event in the CloudEvents JSON format as the message data
};

struct MessageMapping {
  ContentMode mode = ContentMode::Binary;
  bool ordering = false;  // the event's subject becomes the message's orderingKey
};

// The PubsubMessage JSON object for `event`, its size in bytes, and (with
// ordering) its ordering key as the entry's group, since all messages of one
// publish request must carry the same ordering key. An event that is invalid,
// or over one of the limits above (the request of it alone counted in JSON
// bytes), gets a permanent outcome naming the limit instead.
common::Prepared toMessage(const sdk::CloudEvent& event, const MessageMapping& mapping);

// The request body: {"messages":[...]}.
std::string publishBody(std::span<const common::Entry> entries);

// The outcome every message of a request that carried `count` messages gets
// (a publish request succeeds or fails whole):
// - 2xx with one messageIds entry per message: delivered; any other 2xx body
//   leaves them retryable (sending again may duplicate, never lose).
// - an error: its google.rpc.Status ({"error":{"code","message","status"}})
//   decides: ABORTED, CANCELLED, DEADLINE_EXCEEDED, INTERNAL,
//   RESOURCE_EXHAUSTED, UNAVAILABLE and UNKNOWN retryable (the retry codes
//   of Google's client libraries for Publish), any other status permanent;
//   without a status, 408, 429 and 5xx are retryable. Retry-After is kept.
// - transport failures: retryable.
sdk::Outcome publishOutcome(const sdk::Result<sdk::HttpResponse>& result, std::size_t count,
                            std::chrono::system_clock::time_point now);

}  // namespace ccm::sinks::pubsub
