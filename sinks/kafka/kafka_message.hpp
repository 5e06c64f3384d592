#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/event_template.hpp"

// The CloudEvents Kafka Protocol Binding 1.0.2 as pure functions: a CloudEvent
// as a Kafka message, the topic it goes to, and what a delivery report's
// error code means for the event.
namespace ccm::sinks::kafka {

enum class ContentMode {
  Binary,      // attributes in ce_ headers, datacontenttype as content-type, data as value
  Structured,  // the event in the JSON format as value
};

// Binding 3.3.1, spelled as its example spells it.
inline constexpr std::string_view kStructuredContentType = "application/cloudevents+json; charset=UTF-8";

// What one produced message carries.
struct KafkaMessage {
  std::string topic;
  std::optional<std::string> key;    // none: the partitioner spreads keyless messages
  std::optional<std::string> value;  // none: a message without value (binary mode, event without data)
  std::vector<std::pair<std::string, std::string>> headers;  // in this order
};

// A topic name with placeholders {type}, {source}, {subject} and {id}
// (common::EventTemplate), each replaced by the event's attribute with every
// byte a Kafka topic name cannot hold (anything but ASCII letters, digits,
// '.', '_' and '-') written as '_'.
class TopicTemplate {
public:
  // Throws std::invalid_argument saying what is wrong (an unknown placeholder,
  // an unclosed brace, a character a topic name cannot hold).
  explicit TopicTemplate(std::string_view text);

  // The topic for `event`, or a permanent outcome when the template needs a
  // subject the event lacks, or the name is longer than Kafka's 249
  // characters or is "." or "..".
  std::variant<std::string, sdk::Outcome> topicFor(const sdk::CloudEvent& event) const;

private:
  common::EventTemplate template_;
};

// The message key: the partitioning extension's `partitionkey` when the event
// has one (binding 3.1), else its subject, else none. Events of one subject
// then share a partition, where Kafka keeps their order.
std::optional<std::string> messageKey(const sdk::CloudEvent& event);

// The message for `event`, or a permanent outcome when the event is invalid.
// Binary mode (binding 3.2) maps every attribute but datacontenttype to a
// header "ce_<name>" with the attribute's value as UTF-8, datacontenttype to
// "content-type" and the data to the value, as sdk::toBinary does for HTTP
// (data without a datacontenttype that is not JSON gets a label; an event
// whose datacontenttype is an event format goes structured). Structured mode
// (3.3): the value is sdk::toStructured(event) with the one header
// "content-type: application/cloudevents+json; charset=UTF-8".
std::variant<KafkaMessage, sdk::Outcome> toMessage(const sdk::CloudEvent& event, const TopicTemplate& topic,
                                                   ContentMode mode);

// The outcome of a delivery report with librdkafka's rd_kafka_resp_err_t
// `error` (docs/sinks/kafka.md has the table): 0 delivered; the codes for a
// message the broker will refuse again (too large, invalid, not authorized,
// an invalid topic) permanent; any other retryable. `last_error`, when not
// empty, is the client's last error (an unreachable broker, a failed
// authentication) and is added to retryable messages.
sdk::Outcome deliveryOutcome(int error, std::string_view last_error = {});

// "MSG_SIZE_TOO_LARGE (Broker: Message size too large)".
std::string describeError(int error);

}  // namespace ccm::sinks::kafka
