#include "pubsub_sink.hpp"

#include <string>
#include <utility>

namespace ccm::sinks::pubsub {

PubSubSink::PubSubSink(const sdk::PluginContext& context)
    : host_(context.host),
      config_(parseConfig(context)),
      client_(host_, config_.client, "pubsub sink"),
      limits_{.max_entries = kMaxMessagesPerRequest,
              .max_bytes = kMaxRequestBytes,
              .framing_bytes = kRequestFramingBytes,
              .separator_bytes = 1} {
  if (config_.credentials) {
    token_ = std::make_unique<GoogleToken>(*config_.credentials, host_, config_.client);
  } else {
    host_.logger().log(sdk::LogLevel::Warning,
                       "pubsub sink: PUBSUB_EMULATOR_HOST is set; publishing to the emulator without credentials",
                       {{"emulator", config_.emulator_host}});
  }
}

std::vector<sdk::Outcome> PubSubSink::deliver(const std::vector<sdk::CloudEvent>& batch) {
  return common::deliverInRequests(
      batch, [this](const sdk::CloudEvent& event) { return toMessage(event, config_.mapping); }, limits_,
      [this](std::span<const common::Entry> entries) { return publish(entries); });
}

std::vector<sdk::Outcome> PubSubSink::publish(std::span<const common::Entry> entries) {
  const std::string body = publishBody(entries);
  const sdk::HttpHeaders trace = common::traceHeaders(entries);
  if (!token_) {
    return std::vector<sdk::Outcome>(entries.size(),
                                     publishOutcome(send(body, "", trace), entries.size(), host_.clock().now()));
  }
  // A 401 means the token was revoked or expired early: one new token, one more try.
  sdk::Result<sdk::HttpResponse> result = sdk::Error{"auth", "no attempt"};
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto authorization = token_->authorization(host_.clock().now());
    if (auto* failure = std::get_if<sdk::Outcome>(&authorization)) {
      return std::vector<sdk::Outcome>(entries.size(), *failure);
    }
    result = send(body, std::get<std::string>(authorization), trace);
    if (!result || result.value().status != 401) break;
    token_->drop();
  }
  return std::vector<sdk::Outcome>(entries.size(), publishOutcome(result, entries.size(), host_.clock().now()));
}

sdk::Result<sdk::HttpResponse> PubSubSink::send(const std::string& body, const std::string& authorization,
                                                const sdk::HttpHeaders& trace) {
  sdk::HttpHeaders headers = {{"Content-Type", "application/json"}};
  if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
  headers.insert(headers.end(), trace.begin(), trace.end());
  return client_.send(
      sdk::HttpRequest{.method = "POST", .url = config_.publish_url, .headers = std::move(headers), .body = body});
}

}  // namespace ccm::sinks::pubsub
