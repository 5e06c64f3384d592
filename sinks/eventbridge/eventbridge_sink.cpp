#include "eventbridge_sink.hpp"

#include <string>
#include <string_view>

#include "put_events.hpp"
#include "sigv4.hpp"

namespace ccm::sinks::eventbridge {
namespace {

// The EventBridge API's JSON 1.1 protocol: the action in X-Amz-Target.
constexpr std::string_view kTarget = "AWSEvents.PutEvents";
constexpr std::string_view kContentType = "application/x-amz-json-1.1";
// The SigV4 service name of EventBridge's API (it kept CloudWatch Events' name).
constexpr std::string_view kService = "events";

}  // namespace

EventBridgeSink::EventBridgeSink(const sdk::PluginContext& context)
    : host_(context.host), config_(parseConfig(context)), client_(host_, config_.client, "eventbridge sink") {}

std::vector<sdk::Outcome> EventBridgeSink::deliver(const std::vector<sdk::CloudEvent>& batch) {
  return common::deliverInRequests(
      batch, [this](const sdk::CloudEvent& event) { return toEntry(event, config_.mapping); },
      common::RequestLimits{.max_entries = kMaxEntries, .max_bytes = kMaxEntriesBytes},
      [this](std::span<const common::Entry> entries) { return putEvents(entries); });
}

std::vector<sdk::Outcome> EventBridgeSink::putEvents(std::span<const common::Entry> entries) {
  std::string body = putEventsBody(entries);
  const std::string date = amzDate(host_.clock().now());
  // Every header but Authorization is signed, the session token included.
  sdk::HttpHeaders headers = {{"Content-Type", std::string(kContentType)},
                              {"Host", config_.host},
                              {"X-Amz-Date", date},
                              {"X-Amz-Target", std::string(kTarget)}};
  if (!config_.credentials.session_token.empty()) {
    headers.emplace_back("X-Amz-Security-Token", config_.credentials.session_token);
  }
  const auto trace = common::traceHeaders(entries);
  headers.insert(headers.end(), trace.begin(), trace.end());
  const Signature signature = signV4({.method = "POST",
                                      .path = config_.path,
                                      .headers = headers,
                                      .body = body,
                                      .region = config_.region,
                                      .service = kService,
                                      .amz_date = date},
                                     config_.credentials);
  headers.emplace_back("Authorization", signature.authorization);

  const auto result = client_.send(
      sdk::HttpRequest{.method = "POST", .url = config_.url, .headers = std::move(headers), .body = std::move(body)});
  return putEventsOutcomes(result, entries.size(), host_.clock().now());
}

}  // namespace ccm::sinks::eventbridge
