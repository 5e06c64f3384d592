#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/event_template.hpp"

// The CloudEvents NATS Protocol Binding (binary mode as of the working draft
// after 1.0.2, "1.0.3-wip") as pure functions: a CloudEvent as a NATS message,
// the subject it goes to, and what a JetStream error means for the event.
namespace ccm::sinks::nats {

enum class ContentMode {
  Binary,      // attributes in ce- headers, data as payload (binding 3.1)
  Structured,  // the event in the JSON format as payload (binding 3.2)
};

// What goes into one JetStream publish besides Nats-Msg-Id and
// Nats-Expected-Stream, which the publish options add.
struct NatsMessage {
  std::string subject;
  std::string payload;
  std::vector<std::pair<std::string, std::string>> headers;  // in this order
};

// A subject with placeholders {type}, {source}, {subject} and {id}, each
// replaced by the event's attribute with '%', '.', '*', '>', space and the
// other ASCII control bytes percent-encoded (%25, %2E, %2A, %3E, %20, ...), so
// a value can neither add tokens nor act as a wildcard. "{{" and "}}" stand
// for literal braces.
class SubjectTemplate {
public:
  // Throws std::invalid_argument saying what is wrong (an unknown placeholder,
  // an unclosed brace, a wildcard, whitespace, an empty token, a leading '$').
  explicit SubjectTemplate(std::string_view text);

  // The subject for `event`, or a permanent outcome when the template needs a
  // subject the event lacks or the subject is longer than kMaxSubjectBytes.
  std::variant<std::string, sdk::Outcome> subjectFor(const sdk::CloudEvent& event) const;

  // The server reads a PUB line of at most max_control_line bytes (4096 by
  // default) and closes the connection over it; the line holds the subject,
  // the reply inbox and two sizes.
  static constexpr std::size_t kMaxSubjectBytes = 3072;

private:
  static common::EventTemplate parseSubject(std::string_view text);

  common::EventTemplate template_;
};

// The message for `event`, or a permanent outcome when the event is invalid.
// Binary mode maps every attribute, datacontenttype included, to a header
// named "ce-" + the attribute, its value percent-encoded as binding 3.1.3.2
// says (the HTTP binding's rule), and the data to the payload; data without a
// datacontenttype that is not JSON gets a label, as sdk::toBinary does for
// HTTP. An event whose datacontenttype is itself a CloudEvents format goes
// structured. Structured mode's payload is sdk::toStructured(event) with the
// header Content-Type: application/cloudevents+json, by which a receiver
// tells the modes apart (binding 3).
std::variant<NatsMessage, sdk::Outcome> toMessage(const sdk::CloudEvent& event, const SubjectTemplate& subject,
                                                  ContentMode mode);

// The outcome of a JetStream API error in a PubAck (docs/sinks/nats.md,
// Outcomes): errors about the message or the stream's fixed settings are
// permanent, the rest (resources, storage, availability, unknown codes)
// retryable.
sdk::Outcome jetStreamErrorOutcome(int error_code, std::string_view description);

}  // namespace ccm::sinks::nats
