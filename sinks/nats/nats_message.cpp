#include "nats_message.hpp"

#include <nats/status.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/text.hpp"

namespace ccm::sinks::nats {
namespace {

constexpr std::string_view kHeaderPrefix = "ce-";
constexpr std::string_view kDataContentTypeHeader = "ce-datacontenttype";

// Whitespace ends a subject on the wire (NATS protocol, PUB).
bool isSpaceOrControl(unsigned char c) {
  return c <= 0x20 || c == 0x7F;
}

// NATS subjects: '.' separates tokens, '*' and '>' are wildcards.
bool breaksSubject(unsigned char c) {
  return c == '.' || c == '*' || c == '>' || isSpaceOrControl(c);
}

// '%' too, so the encoding can be undone.
std::string encodeSubjectValue(std::string_view value) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const unsigned char c : value) {
    if (c == '%' || breaksSubject(c)) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Errors about this message or the stream's fixed settings: sending the same
// message again gets the same answer.
bool isPermanentJetStreamError(int code) {
  constexpr std::array<int, 7> kPermanent = {JSStreamMessageExceedsMaximumErr,
                                             10097 /* JSStreamHeaderExceedsMaximumErr, not in libnats 3.4 */,
                                             JSStreamNotMatchErr,
                                             JSStreamSealedErr,
                                             JSStreamWrongLastMsgIDErr,
                                             JSStreamWrongLastSequenceErr,
                                             JSStreamRollupFailedErr};
  return std::ranges::find(kPermanent, code) != kPermanent.end();
}

}  // namespace

SubjectTemplate::SubjectTemplate(std::string_view text) : template_(parseSubject(text)) {}

common::EventTemplate SubjectTemplate::parseSubject(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("must not be empty");
  if (text.front() == '$') throw std::invalid_argument("must not start with '$' (subjects the server reserves)");
  common::EventTemplate parsed(text);
  const auto literals = parsed.literals();
  for (const auto& literal : literals) {
    for (const char c : literal) {
      if (c == '*' || c == '>') {
        throw std::invalid_argument(std::string("must not contain the wildcard '") + c +
                                    "' (a published subject has none)");
      }
      if (isSpaceOrControl(static_cast<unsigned char>(c))) {
        throw std::invalid_argument("must not contain whitespace or control characters");
      }
    }
  }
  // A placeholder's value is never empty, so only the literals can make an empty token.
  if (text.front() == '.' || text.back() == '.' || std::ranges::any_of(literals, [](const std::string& literal) {
        return literal.find("..") != std::string::npos;
      })) {
    throw std::invalid_argument("has an empty token (a leading, trailing or doubled '.')");
  }
  return parsed;
}

std::variant<std::string, sdk::Outcome> SubjectTemplate::subjectFor(const sdk::CloudEvent& event) const {
  auto rendered = template_.render(event, encodeSubjectValue, "subject");
  if (auto* refused = std::get_if<sdk::Outcome>(&rendered)) return std::move(*refused);
  auto* subject = &std::get<std::string>(rendered);
  if (subject->size() > kMaxSubjectBytes) {
    return sdk::Outcome::permanent("NATS subject for event " + event.id + " is " + std::to_string(subject->size()) +
                                   " bytes; the sink allows " + std::to_string(kMaxSubjectBytes));
  }
  return std::move(*subject);
}

std::variant<NatsMessage, sdk::Outcome> toMessage(const sdk::CloudEvent& event, const SubjectTemplate& subject,
                                                  ContentMode mode) {
  if (auto invalid = sdk::validate(event)) {
    return sdk::Outcome::permanent("event " + event.id + " is not a valid CloudEvent: " + invalid->message);
  }
  auto name = subject.subjectFor(event);
  if (auto* failed = std::get_if<sdk::Outcome>(&name)) return std::move(*failed);
  NatsMessage message;
  message.subject = std::move(std::get<std::string>(name));

  if (mode == ContentMode::Structured) {
    message.payload = sdk::toStructured(event);
    message.headers.emplace_back("Content-Type", std::string(sdk::kStructuredContentType));
    return message;
  }
  // The HTTP binding's binary message has what the NATS binding needs: the
  // ce- headers in order with values percent-encoded by the same rule
  // (NATS binding 3.1.3.2 repeats HTTP's 3.1.3.2), extensions in their
  // canonical form, and the labelling of data. Only datacontenttype differs:
  // NATS carries it as ce-datacontenttype, not Content-Type.
  sdk::HttpMessage http = sdk::toBinary(event);
  const bool went_structured = std::ranges::none_of(
      http.headers, [](const auto& header) { return std::string_view(header.first).starts_with(kHeaderPrefix); });
  for (auto& [header, value] : http.headers) {
    if (sdk::equalsIgnoreCase(header, "Content-Type") && !went_structured) {
      message.headers.emplace_back(kDataContentTypeHeader, sdk::percentEncodeHeaderValue(value));
    } else {
      message.headers.emplace_back(std::move(header), std::move(value));
    }
  }
  message.payload = std::move(http.body);
  return message;
}

sdk::Outcome jetStreamErrorOutcome(int error_code, std::string_view description) {
  std::string message =
      "JetStream refused the message: " + std::string(description) + " (error code " + std::to_string(error_code) + ")";
  return isPermanentJetStreamError(error_code) ? sdk::Outcome::permanent(std::move(message))
                                               : sdk::Outcome::retryable(std::move(message));
}

}  // namespace ccm::sinks::nats
