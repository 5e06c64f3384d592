#include "eventgrid_sink.hpp"

#include <string>
#include <string_view>

#include "ccm/sdk/codec.hpp"
#include "eventgrid_response.hpp"

namespace ccm::sinks::eventgrid {
namespace {

// Event Grid quotas and limits: 1 MB per event and per request for both topic
// types; at most 5,000 events in a custom topic's batch and 1,000 in a
// namespace topic's. The sink counts a megabyte as 1,048,576 bytes.
constexpr std::size_t kMaxBytes = 1024 * 1024;
constexpr std::size_t kMaxCustomTopicEvents = 5000;
constexpr std::size_t kMaxNamespaceEvents = 1000;
// "[" and "]" around the batch, "," between events.
constexpr std::size_t kArrayFraming = 2;
constexpr std::size_t kArraySeparator = 1;
// Event Grid's own CloudEvents input: the batch media type with its charset.
constexpr std::string_view kContentType = "application/cloudevents-batch+json; charset=utf-8";

}  // namespace

EventGridSink::EventGridSink(const sdk::PluginContext& context)
    : host_(context.host),
      config_(parseConfig(context)),
      client_(host_, config_.client, "eventgrid sink"),
      credential_(makeCredential(config_, host_)),
      limits_{.max_entries = config_.topic_type == TopicType::Namespace ? kMaxNamespaceEvents : kMaxCustomTopicEvents,
              .max_bytes = kMaxBytes,
              .framing_bytes = kArrayFraming,
              .separator_bytes = kArraySeparator} {}

std::vector<sdk::Outcome> EventGridSink::deliver(const std::vector<sdk::CloudEvent>& batch) {
  return common::deliverInRequests(
      batch, [this](const sdk::CloudEvent& event) { return prepare(event); }, limits_,
      [this](std::span<const common::Entry> entries) { return publish(entries); });
}

common::Prepared EventGridSink::prepare(const sdk::CloudEvent& event) const {
  std::string json = sdk::toStructured(event);
  // A batch of this event alone must still fit a request.
  if (kArrayFraming + json.size() > kMaxBytes) {
    return sdk::Outcome::permanent(
        "event is " + std::to_string(json.size()) + " bytes as CloudEvents JSON; Event Grid takes at most " +
        std::to_string(kMaxBytes - kArrayFraming) + " (1 MB per event and per request, less the batch's brackets)");
  }
  const std::size_t bytes = json.size();
  return common::Entry{std::move(json), bytes};
}

std::vector<sdk::Outcome> EventGridSink::publish(std::span<const common::Entry> entries) {
  const auto now = host_.clock().now();
  auto header = credential_->header(now);
  if (auto* failure = std::get_if<sdk::Outcome>(&header)) return std::vector<sdk::Outcome>(entries.size(), *failure);

  sdk::HttpHeaders headers{{"Content-Type", std::string(kContentType)}, std::get<Header>(header)};
  const auto trace = common::traceHeaders(entries);
  headers.insert(headers.end(), trace.begin(), trace.end());
  const sdk::HttpRequest request{
      .method = "POST", .url = config_.publish_url, .headers = std::move(headers), .body = common::jsonArray(entries)};
  const auto result = client_.send(request);
  if (result && result.value().status == 401) credential_->rejected();
  return std::vector<sdk::Outcome>(entries.size(), publishOutcome(result, host_.clock().now()));
}

}  // namespace ccm::sinks::eventgrid
