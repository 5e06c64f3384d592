#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/packed_delivery.hpp"

// The PutEvents action of the EventBridge API (JSON 1.1 protocol) as pure
// functions: a CloudEvent as a PutEventsRequestEntry, the request body, and
// what the answer means for each entry.
namespace ccm::sinks::eventbridge {

// PutEvents API reference: at most 10 entries a request, whose sizes (as
// AWS counts them) total at most 256 KB.
inline constexpr std::size_t kMaxEntries = 10;
inline constexpr std::size_t kMaxEntriesBytes = 256 * 1024;

enum class DetailSource {
  Event,  // the whole event in the CloudEvents JSON format
  Data,   // the event's data, which must be a JSON object
};

// How an event becomes an entry; docs/sinks/eventbridge.md has the table.
struct EntryMapping {
  std::string source{};  // a fixed Source; empty: the event's source
  DetailSource detail = DetailSource::Event;
  bool resources_from_subject = true;  // Resources = [subject] when there is one
  std::string event_bus_name{};        // empty: the account's default bus
};

// The entry's JSON object and its size as AWS counts it ("Calculating
// Amazon EventBridge PutEvents event entry size": 14 bytes for Time when
// present, plus the UTF-8 bytes of Source, DetailType, Detail and each
// Resources element). An event the mapping cannot express, or whose entry is
// over kMaxEntriesBytes on its own, gets a permanent outcome instead.
common::Prepared toEntry(const sdk::CloudEvent& event, const EntryMapping& mapping);

// The request body: {"Entries":[...]}.
std::string putEventsBody(std::span<const common::Entry> entries);

// One outcome per entry of a request that carried `count` entries:
// - 200: each Entries[i] of the response, by position: an EventId is
//   delivered; ErrorCode ThrottlingException or InternalFailure is retryable,
//   any other code permanent, with ErrorCode and ErrorMessage kept. A body
//   that cannot be read leaves every entry retryable.
// - an error (__type in the body, or the X-Amzn-ErrorType header):
//   ThrottlingException, 408, 429, 5xx and transport failures retryable, any
//   other permanent; every entry shares it.
std::vector<sdk::Outcome> putEventsOutcomes(const sdk::Result<sdk::HttpResponse>& result, std::size_t count,
                                            std::chrono::system_clock::time_point now);

}  // namespace ccm::sinks::eventbridge
