#include "mqtt_message.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/text.hpp"

namespace ccm::sinks::mqtt {
namespace {

// MQTT 5 section 1.5.4 (3.1.1 section 1.5.3): a UTF-8 string is at most 65535 bytes.
constexpr std::size_t kMaxStringBytes = 65535;
// The binding's User Property names are the attribute names; the codec's
// HTTP headers carry them with this prefix.
constexpr std::string_view kHeaderPrefix = "ce-";

// Bytes that would change the topic's structure (MQTT 5 section 4.7), and '%'
// so the encoding can be undone.
std::string encodeTopicValue(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '%' || c == '/' || c == '+' || c == '#') {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", static_cast<unsigned char>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

bool isRetryableReason(int reason_code) {
  constexpr std::array<int, 4> kRetryable = {MQTT_RC_UNSPECIFIED, MQTT_RC_IMPLEMENTATION_SPECIFIC,
                                             MQTT_RC_PACKET_ID_IN_USE, MQTT_RC_QUOTA_EXCEEDED};
  return std::ranges::find(kRetryable, reason_code) != kRetryable.end();
}

// The wildcards and NUL are looked for in the whole text: no placeholder
// name holds them, and no literal part may.
common::EventTemplate parseTopic(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("must not be empty");
  if (text.front() == '$') throw std::invalid_argument("must not start with '$' (topics the broker reserves)");
  for (const char c : text) {
    if (c == '+' || c == '#') {
      throw std::invalid_argument(std::string("must not contain the wildcard '") + c + "' (a topic name has none)");
    }
    if (c == '\0') throw std::invalid_argument("must not contain NUL");
  }
  return common::EventTemplate(text);
}

}  // namespace

TopicTemplate::TopicTemplate(std::string_view text) : template_(parseTopic(text)) {}

std::variant<std::string, sdk::Outcome> TopicTemplate::topicFor(const sdk::CloudEvent& event) const {
  auto rendered = template_.render(event, encodeTopicValue, "topic");
  if (auto* refused = std::get_if<sdk::Outcome>(&rendered)) return std::move(*refused);
  auto* topic = &std::get<std::string>(rendered);
  if (topic->size() > kMaxStringBytes) {
    return sdk::Outcome::permanent("topic for event " + event.id + " is " + std::to_string(topic->size()) +
                                   " bytes; MQTT allows 65535");
  }
  return std::move(*topic);
}

std::variant<MqttMessage, sdk::Outcome> toMessage(const sdk::CloudEvent& event, const TopicTemplate& topic,
                                                  ContentMode mode, ProtocolVersion version) {
  if (auto invalid = sdk::validate(event)) {
    return sdk::Outcome::permanent("event " + event.id + " is not a valid CloudEvent: " + invalid->message);
  }
  auto name = topic.topicFor(event);
  if (auto* failed = std::get_if<sdk::Outcome>(&name)) return std::move(*failed);
  MqttMessage message;
  message.topic = std::move(std::get<std::string>(name));

  if (mode == ContentMode::Structured) {
    message.payload = sdk::toStructured(event);
    if (version == ProtocolVersion::V5) message.content_type = std::string(sdk::kStructuredContentType);
    return message;
  }
  // The HTTP binding's binary message has what the MQTT binding needs: the
  // attributes in order, extensions in their canonical string form, and the
  // labelling of data; only the percent-encoding of header values is undone,
  // since a User Property carries any UTF-8.
  sdk::HttpMessage http = sdk::toBinary(event);
  for (auto& [header, value] : http.headers) {
    if (sdk::equalsIgnoreCase(header, "Content-Type")) {
      message.content_type = std::move(value);
      continue;
    }
    auto decoded = sdk::percentDecodeHeaderValue(value);
    if (!decoded) return sdk::Outcome::permanent("event " + event.id + ": " + decoded.error().message);
    message.user_properties.emplace_back(header.substr(kHeaderPrefix.size()), std::move(decoded.value()));
  }
  for (const auto& [property, value] : message.user_properties) {
    if (value.size() > kMaxStringBytes) {
      return sdk::Outcome::permanent("attribute " + property + " of event " + event.id + " is " +
                                     std::to_string(value.size()) + " bytes; an MQTT User Property allows 65535");
    }
  }
  message.payload = std::move(http.body);
  return message;
}

sdk::Outcome pubackOutcome(int reason_code) {
  if (reason_code < MQTT_RC_UNSPECIFIED) return sdk::Outcome::delivered();
  std::string message = "broker refused the message: PUBACK reason code " + describeReasonCode(reason_code);
  return isRetryableReason(reason_code) ? sdk::Outcome::retryable(std::move(message))
                                        : sdk::Outcome::permanent(std::move(message));
}

std::string describeReasonCode(int reason_code) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(reason_code));
  return std::string(hex) + " (" + mosquitto_reason_string(reason_code) + ")";
}

}  // namespace ccm::sinks::mqtt
