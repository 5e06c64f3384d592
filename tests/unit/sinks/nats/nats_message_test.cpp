#include "nats_message.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ccm/sdk/codec.hpp"
#include "sink_test_events.hpp"

namespace ccm::sinks::nats {
namespace {

using ccm::testing::exampleEvent;
using Headers = std::vector<std::pair<std::string, std::string>>;
using Kind = sdk::Outcome::Kind;

std::string subjectOf(std::string_view text, const sdk::CloudEvent& event) {
  const auto subject = SubjectTemplate(text).subjectFor(event);
  if (const auto* failed = std::get_if<sdk::Outcome>(&subject)) return "refused: " + failed->message;
  return std::get<std::string>(subject);
}

NatsMessage messageOf(const sdk::CloudEvent& event, ContentMode mode) {
  auto message = toMessage(event, SubjectTemplate("ccm.events.{type}"), mode);
  if (auto* failed = std::get_if<sdk::Outcome>(&message)) {
    ADD_FAILURE() << failed->message;
    return {};
  }
  return std::get<NatsMessage>(std::move(message));
}

TEST(NatsSubjectTemplate, EncodesTheDotsOfATypeSoItStaysOneToken) {
  EXPECT_EQ(subjectOf("ccm.events.{type}", exampleEvent()), "ccm.events.ccm%2Elablet%2Esession%2Egraded");
}

TEST(NatsSubjectTemplate, EncodesWildcardsWhitespaceControlBytesAndPercent) {
  sdk::CloudEvent event = exampleEvent();
  event.subject = "a.b *>%\t\x7f";
  EXPECT_EQ(subjectOf("labs.{subject}", event), "labs.a%2Eb%20%2A%3E%25%09%7F");
}

TEST(NatsSubjectTemplate, KeepsOtherBytesAndFillsEveryPlaceholder) {
  sdk::CloudEvent event = exampleEvent();
  event.source = "/labs/eu-1";
  event.subject = "sessión";
  EXPECT_EQ(subjectOf("x.{source}.{subject}.{id}.{{lit}}", event),
            "x./labs/eu-1.sessión.0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10.{lit}");
}

TEST(NatsSubjectTemplate, AnEventWithoutTheSubjectTheTemplateNeedsIsPermanent) {
  sdk::CloudEvent event = exampleEvent();
  event.subject.reset();
  EXPECT_EQ(subjectOf("ccm.{subject}", event),
            "refused: the subject template uses {subject} and event 0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10 has no "
            "subject");
}

TEST(NatsSubjectTemplate, ASubjectOverTheLimitIsPermanent) {
  sdk::CloudEvent event = exampleEvent();
  event.subject = std::string(3100, 's');
  EXPECT_EQ(subjectOf("c.{subject}", event),
            "refused: NATS subject for event 0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10 is 3102 bytes; the sink allows 3072");
}

struct BadTemplate {
  std::string text;
  std::string error;
};

class NatsSubjectTemplateErrors : public ::testing::TestWithParam<BadTemplate> {};

TEST_P(NatsSubjectTemplateErrors, SayWhatIsWrong) {
  try {
    SubjectTemplate{GetParam().text};
    ADD_FAILURE() << "accepted " << GetParam().text;
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), GetParam().error);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Templates, NatsSubjectTemplateErrors,
    ::testing::Values(BadTemplate{"", "must not be empty"},
                      BadTemplate{"ccm.*", "must not contain the wildcard '*' (a published subject has none)"},
                      BadTemplate{"ccm.>", "must not contain the wildcard '>' (a published subject has none)"},
                      BadTemplate{"ccm events", "must not contain whitespace or control characters"},
                      BadTemplate{".ccm.{type}", "has an empty token (a leading, trailing or doubled '.')"},
                      BadTemplate{"ccm..{type}", "has an empty token (a leading, trailing or doubled '.')"},
                      BadTemplate{"ccm.{type}.", "has an empty token (a leading, trailing or doubled '.')"},
                      BadTemplate{"$JS.API.{type}", "must not start with '$' (subjects the server reserves)"},
                      BadTemplate{"ccm.{kind}",
                                  "has the unknown placeholder {kind}; known are {type}, {source}, {subject} and {id}"},
                      BadTemplate{"ccm.{type", "has a '{' without '}'"},
                      BadTemplate{"ccm.type}", "has a '}' without '{' (write \"}}\" for a literal brace)"}));

TEST(NatsMessage, BinaryModeSendsEveryAttributeAsACeHeaderAndDataAsPayload) {
  const NatsMessage message = messageOf(exampleEvent(), ContentMode::Binary);
  EXPECT_EQ(message.subject, "ccm.events.ccm%2Elablet%2Esession%2Egraded");
  EXPECT_EQ(message.headers, (Headers{{"ce-specversion", "1.0"},
                                      {"ce-id", "0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10"},
                                      {"ce-source", "urn:ccm-gateway"},
                                      {"ce-type", "ccm.lablet.session.graded"},
                                      {"ce-subject", "session%2042"},
                                      {"ce-time", "2025-03-14T09:26:53Z"},
                                      {"ce-datacontenttype", "application/json"}}));
  EXPECT_EQ(message.payload, R"({"score":87})");
}

TEST(NatsMessage, BinaryHeaderValuesArePercentEncodedExtensionsIncluded) {
  sdk::CloudEvent event = exampleEvent();
  event.datacontenttype = "application/json; charset=utf-8";
  event.subject = "Euro \xE2\x82\xAC \"q\" 100%";
  event.extensions.emplace("traceparent", sdk::ExtensionValue(std::string("00-ab")));
  const NatsMessage message = messageOf(event, ContentMode::Binary);
  EXPECT_EQ(message.headers, (Headers{{"ce-specversion", "1.0"},
                                      {"ce-id", "0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10"},
                                      {"ce-source", "urn:ccm-gateway"},
                                      {"ce-type", "ccm.lablet.session.graded"},
                                      {"ce-subject", "Euro%20%E2%82%AC%20%22q%22%20100%25"},
                                      {"ce-time", "2025-03-14T09:26:53Z"},
                                      {"ce-traceparent", "00-ab"},
                                      {"ce-datacontenttype", "application/json;%20charset=utf-8"}}));
}

TEST(NatsMessage, BinaryBytesWithoutADatacontenttypeAreLabelled) {
  sdk::CloudEvent event = exampleEvent();
  event.datacontenttype.reset();
  event.data = sdk::Data::bytes(std::string("\x01\x02", 2));
  const NatsMessage message = messageOf(event, ContentMode::Binary);
  EXPECT_EQ(message.headers.back(),
            (std::pair<std::string, std::string>{"ce-datacontenttype", "application/octet-stream"}));
  EXPECT_EQ(message.payload, std::string("\x01\x02", 2));
}

TEST(NatsMessage, AnEventFormatAsDatacontenttypeGoesStructuredEvenInBinaryMode) {
  sdk::CloudEvent event = exampleEvent();
  event.datacontenttype = "application/cloudevents+json";
  const NatsMessage message = messageOf(event, ContentMode::Binary);
  EXPECT_EQ(message.headers, (Headers{{"Content-Type", "application/cloudevents+json"}}));
  EXPECT_EQ(message.payload, sdk::toStructured(event));
}

TEST(NatsMessage, StructuredModeSendsTheJsonEventWithItsContentType) {
  const NatsMessage message = messageOf(exampleEvent(), ContentMode::Structured);
  EXPECT_EQ(message.subject, "ccm.events.ccm%2Elablet%2Esession%2Egraded");
  EXPECT_EQ(message.headers, (Headers{{"Content-Type", "application/cloudevents+json"}}));
  EXPECT_EQ(message.payload, sdk::toStructured(exampleEvent()));
}

TEST(NatsMessage, AnInvalidEventIsPermanent) {
  sdk::CloudEvent event = exampleEvent();
  event.source.clear();
  const auto message = toMessage(event, SubjectTemplate("ccm.{type}"), ContentMode::Binary);
  ASSERT_TRUE(std::holds_alternative<sdk::Outcome>(message));
  EXPECT_EQ(std::get<sdk::Outcome>(message).kind, Kind::Permanent);
  EXPECT_TRUE(std::get<sdk::Outcome>(message).message.starts_with(
      "event 0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10 is not a valid CloudEvent: "))
      << std::get<sdk::Outcome>(message).message;
}

struct JetStreamError {
  int code;
  Kind kind;
};

class NatsJetStreamErrors : public ::testing::TestWithParam<JetStreamError> {};

TEST_P(NatsJetStreamErrors, MapToTheDocumentedOutcome) {
  const sdk::Outcome outcome = jetStreamErrorOutcome(GetParam().code, "what the server said");
  EXPECT_EQ(outcome.kind, GetParam().kind);
  EXPECT_EQ(outcome.message,
            "JetStream refused the message: what the server said (error code " + std::to_string(GetParam().code) + ")");
}

INSTANTIATE_TEST_SUITE_P(Codes, NatsJetStreamErrors,
                         ::testing::Values(JetStreamError{10054, Kind::Permanent},  // message size exceeds maximum
                                           JetStreamError{10097, Kind::Permanent},  // header size exceeds 64k
                                           JetStreamError{10060, Kind::Permanent},  // expected stream does not match
                                           JetStreamError{10109, Kind::Permanent},  // sealed stream
                                           JetStreamError{10070, Kind::Permanent},  // wrong last msg ID
                                           JetStreamError{10071, Kind::Permanent},  // wrong last sequence
                                           JetStreamError{10111, Kind::Permanent},  // rollup failed
                                           JetStreamError{10077, Kind::Retryable},  // store failed (stream full)
                                           JetStreamError{10023, Kind::Retryable},  // insufficient resources
                                           JetStreamError{10002, Kind::Retryable},  // account resources exceeded
                                           JetStreamError{10008, Kind::Retryable},  // cluster not available
                                           JetStreamError{10118, Kind::Retryable},  // stream offline
                                           JetStreamError{99999, Kind::Retryable}));

}  // namespace
}  // namespace ccm::sinks::nats
