#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/event_template.hpp"

// The CloudEvents MQTT Protocol Binding 1.0.2 as pure functions: a CloudEvent
// as an MQTT PUBLISH message, the topic it goes to, and what the broker's
// answer means for the event.
namespace ccm::sinks::mqtt {

enum class ProtocolVersion { V5, V311 };

enum class ContentMode {
  Binary,      // MQTT 5 only: attributes in User Properties, data as payload
  Structured,  // the event in the JSON format as payload
};

// What goes into one PUBLISH besides QoS (always 1) and retain (always false).
struct MqttMessage {
  std::string topic;
  std::string payload;
  std::string content_type;                                          // MQTT 5 Content Type; empty: none
  std::vector<std::pair<std::string, std::string>> user_properties;  // MQTT 5, in this order
};

// A topic with placeholders {type}, {source}, {subject} and {id}, each
// replaced by the event's attribute with '%', '/', '+' and '#' percent-encoded
// (%25, %2F, %2B, %23), so a value can neither add topic levels nor act as a
// wildcard. "{{" and "}}" stand for literal braces.
class TopicTemplate {
public:
  // Throws std::invalid_argument saying what is wrong (an unknown placeholder,
  // an unclosed brace, a wildcard or NUL, a leading '$').
  explicit TopicTemplate(std::string_view text);

  // The topic for `event`, or a permanent outcome when the template needs a
  // subject the event lacks or the topic exceeds MQTT's 65535 bytes.
  std::variant<std::string, sdk::Outcome> topicFor(const sdk::CloudEvent& event) const;

private:
  common::EventTemplate template_;
};

// The PUBLISH for `event`, or a permanent outcome when the event is invalid.
// Binary mode maps every attribute but datacontenttype to a User Property
// named as the attribute (binding 3.2.3.2), datacontenttype to Content Type
// (3.2.1) and the data to the payload, as sdk::toBinary does for HTTP (data
// without a datacontenttype that is not JSON gets a label; an event whose
// datacontenttype is an event format goes structured). Structured mode's
// payload is sdk::toStructured(event), with Content Type
// "application/cloudevents+json" on MQTT 5 and no properties on 3.1.1 (3.1).
std::variant<MqttMessage, sdk::Outcome> toMessage(const sdk::CloudEvent& event, const TopicTemplate& topic,
                                                  ContentMode mode, ProtocolVersion version);

// The outcome of a PUBACK reason code (MQTT 5 section 3.4.2.1; 3.1.1 has none,
// which reads as 0): below 0x80 delivered; 0x80, 0x83, 0x91, 0x97 retryable;
// any other (0x87, 0x90, 0x99, ...) permanent.
sdk::Outcome pubackOutcome(int reason_code);

// "0x87 (Not authorized)".
std::string describeReasonCode(int reason_code);

}  // namespace ccm::sinks::mqtt
