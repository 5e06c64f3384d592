#include "kafka_message.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/text.hpp"

namespace ccm::sinks::kafka {
namespace {

// Kafka's Topic.validate: at most 249 characters of [a-zA-Z0-9._-].
constexpr std::size_t kMaxTopicLength = 249;
// The codec's binary-mode headers carry the attributes with this prefix;
// the Kafka binding's (3.2.3.1) is "ce_".
constexpr std::string_view kHttpAttributePrefix = "ce-";
constexpr std::string_view kKafkaAttributePrefix = "ce_";

bool isTopicCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

std::string encodeTopicValue(std::string_view value) {
  std::string out(value);
  std::ranges::replace_if(
      out, [](char c) { return !isTopicCharacter(c); }, '_');
  return out;
}

// Codes for which sending the same message again cannot succeed: the broker
// refuses its size, its form, our right to write, or the topic's name.
constexpr std::array kPermanentErrors = {
    RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
    RD_KAFKA_RESP_ERR_INVALID_MSG,
    RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE,
    RD_KAFKA_RESP_ERR_INVALID_RECORD,
    RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE,
    RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT,
    RD_KAFKA_RESP_ERR_POLICY_VIOLATION,
    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
    RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
    RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION,
    RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
    RD_KAFKA_RESP_ERR__INVALID_ARG,
    RD_KAFKA_RESP_ERR__BAD_MSG,
};

std::string extensionText(const sdk::ExtensionValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  return std::to_string(std::get<std::int32_t>(value));
}

KafkaMessage structured(const sdk::CloudEvent& event) {
  KafkaMessage message;
  message.value = sdk::toStructured(event);
  message.headers.emplace_back("content-type", std::string(kStructuredContentType));
  return message;
}

common::EventTemplate parseTopic(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("must not be empty");
  common::EventTemplate parsed(text);
  const auto literals = parsed.literals();
  for (const auto& literal : literals) {
    for (const char c : literal) {
      if (!isTopicCharacter(c)) {
        throw std::invalid_argument(std::string("has the character '") + c +
                                    "', which a Kafka topic name cannot hold (only ASCII letters, digits, '.', '_' "
                                    "and '-')");
      }
    }
  }
  // A template without placeholders is the topic itself.
  if (literals.size() == 1 && literals[0].size() == text.size() &&
      (text == "." || text == ".." || text.size() > kMaxTopicLength)) {
    throw std::invalid_argument("is not a Kafka topic name (\".\", \"..\" and names over 249 characters are not)");
  }
  return parsed;
}

}  // namespace

TopicTemplate::TopicTemplate(std::string_view text) : template_(parseTopic(text)) {}

std::variant<std::string, sdk::Outcome> TopicTemplate::topicFor(const sdk::CloudEvent& event) const {
  auto rendered = template_.render(event, encodeTopicValue, "topic");
  if (auto* refused = std::get_if<sdk::Outcome>(&rendered)) return std::move(*refused);
  auto* topic = &std::get<std::string>(rendered);
  if (topic->size() > kMaxTopicLength) {
    return sdk::Outcome::permanent("topic for event " + event.id + " is " + std::to_string(topic->size()) +
                                   " characters; Kafka allows 249");
  }
  if (*topic == "." || *topic == "..") {
    return sdk::Outcome::permanent("topic for event " + event.id + " would be \"" + *topic +
                                   "\", which Kafka does not allow");
  }
  return std::move(*topic);
}

std::optional<std::string> messageKey(const sdk::CloudEvent& event) {
  if (const auto it = event.extensions.find("partitionkey"); it != event.extensions.end()) {
    return extensionText(it->second);
  }
  return event.subject;
}

std::variant<KafkaMessage, sdk::Outcome> toMessage(const sdk::CloudEvent& event, const TopicTemplate& topic,
                                                   ContentMode mode) {
  if (auto invalid = sdk::validate(event)) {
    return sdk::Outcome::permanent("event " + event.id + " is not a valid CloudEvent: " + invalid->message);
  }
  auto name = topic.topicFor(event);
  if (auto* failed = std::get_if<sdk::Outcome>(&name)) return std::move(*failed);

  // The HTTP binding's binary message has what the Kafka binding needs: the
  // attributes in order, extensions in their canonical string form, and the
  // labelling of data; only the percent-encoding of header values is undone,
  // since a Kafka header carries any UTF-8 (3.2.3).
  sdk::HttpMessage http = sdk::toBinary(event);
  const bool has_attributes = std::ranges::any_of(
      http.headers, [](const auto& header) { return header.first.starts_with(kHttpAttributePrefix); });
  KafkaMessage message;
  if (mode == ContentMode::Structured || !has_attributes) {
    message = structured(event);
  } else {
    for (auto& [header, value] : http.headers) {
      if (sdk::equalsIgnoreCase(header, "Content-Type")) {
        message.headers.emplace_back("content-type", std::move(value));
        continue;
      }
      auto decoded = sdk::percentDecodeHeaderValue(value);
      if (!decoded) return sdk::Outcome::permanent("event " + event.id + ": " + decoded.error().message);
      message.headers.emplace_back(std::string(kKafkaAttributePrefix) + header.substr(kHttpAttributePrefix.size()),
                                   std::move(decoded.value()));
    }
    // 3.2.2: an event without data is a message without value.
    if (!event.data.empty()) message.value = std::move(http.body);
  }
  message.topic = std::move(std::get<std::string>(name));
  message.key = messageKey(event);
  return message;
}

sdk::Outcome deliveryOutcome(int error, std::string_view last_error) {
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return sdk::Outcome::delivered();
  if (std::ranges::find(kPermanentErrors, static_cast<rd_kafka_resp_err_t>(error)) != kPermanentErrors.end()) {
    return sdk::Outcome::permanent("Kafka refused the message: " + describeError(error));
  }
  std::string message = "not delivered: " + describeError(error);
  if (!last_error.empty()) message += "; last client error: " + std::string(last_error);
  return sdk::Outcome::retryable(std::move(message));
}

std::string describeError(int error) {
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  return std::string(rd_kafka_err2name(code)) + " (" + rd_kafka_err2str(code) + ")";
}

}  // namespace ccm::sinks::kafka
