#include <functional>

#include "codec_test_support.hpp"

namespace ccm::sdk::test {
namespace {

using ::testing::HasSubstr;

CloudEvent with(const std::function<void(CloudEvent&)>& change) {
  CloudEvent event = fullEvent();
  change(event);
  return event;
}

Error validationError(const std::function<void(CloudEvent&)>& change) {
  return errorOf(validate(with(change)));
}

void expectValid(const std::function<void(CloudEvent&)>& change) {
  const auto error = validate(with(change));
  EXPECT_FALSE(error.has_value()) << error->message;
}

TEST(CodecValidation, AcceptsMinimalAndFullEvents) {
  EXPECT_FALSE(validate(minimalEvent()).has_value());
  EXPECT_FALSE(validate(fullEvent()).has_value());
}

TEST(CodecValidation, SpecversionMustBeExactlyOnePointZero) {
  for (const char* version : {"0.3", "1.0.2", "", "1.0 "}) {
    expectError(validationError([&](CloudEvent& e) { e.specversion = version; }), "specversion", "specversion",
                "must be exactly \"1.0\"");
  }
}

TEST(CodecValidation, RequiredStringsMustNotBeEmpty) {
  expectError(validationError([](CloudEvent& e) { e.id.clear(); }), "id", "id", "non-empty string");
  expectError(validationError([](CloudEvent& e) { e.source.clear(); }), "source", "source", "non-empty string");
  expectError(validationError([](CloudEvent& e) { e.type.clear(); }), "type", "type", "non-empty string");
}

// Core spec, type system: String is UTF-8 without control characters or noncharacters.
TEST(CodecValidation, StringAttributesMustUseAllowedCharacters) {
  constexpr std::string_view kRule = "contains characters the String type disallows";
  for (const char* bad : {"bad\xC3", "\xED\xA0\x80", "\xC0\xAF", "\xFF", "line\nbreak", "tab\t", "del\x7F",
                          "c1\xC2\x85", "non\xEF\xBF\xBE", "non\xEF\xB7\x90", "non\xF4\x8F\xBF\xBF"}) {
    expectError(validationError([&](CloudEvent& e) { e.id = bad; }), "id", "id", kRule);
  }
  expectError(validationError([](CloudEvent& e) { e.type = std::string("a\0b", 3); }), "type", "type", kRule);
  expectError(validationError([](CloudEvent& e) { e.subject = "\r"; }), "subject", "subject", kRule);
  expectError(validationError([](CloudEvent& e) { e.extensions["label"] = std::string("\xFF"); }), "label", "label",
              kRule);
  expectValid([](CloudEvent& e) { e.id = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xC2\xA0"; });
}

TEST(CodecValidation, SourceMustBeAUriReference) {
  for (const char* source : {"has space", "%G0/x", "/x%4", "/a#b#c", "/path[1]", "1http://x", ":relative", "a\"b"}) {
    expectError(validationError([&](CloudEvent& e) { e.source = source; }), "source", "source",
                "is not a URI-reference (RFC 3986)");
  }
}

TEST(CodecValidation, SourceAcceptsRelativeAndAbsoluteReferences) {
  for (const char* source : {"/mycontext", "relative/path", "https://example.com/a?b=c#frag", "urn:uuid:6e8bc430-9c3a",
                             "http://[::1]:8080/x", "mailto:a@example.com", "/caf%C3%A9", "#only-fragment", "./a:b"}) {
    expectValid([&](CloudEvent& e) { e.source = source; });
  }
}

TEST(CodecValidation, DataschemaMustBeANonEmptyAbsoluteUri) {
  expectError(validationError([](CloudEvent& e) { e.dataschema = ""; }), "dataschema", "dataschema",
              "must not be empty");
  for (const char* schema : {"/schemas/reading.json", "schemas/reading.json", "https://example.com/a b"}) {
    expectError(validationError([&](CloudEvent& e) { e.dataschema = schema; }), "dataschema", "dataschema",
                "is not an absolute URI");
  }
  expectValid([](CloudEvent& e) { e.dataschema = "urn:example:schema#v1"; });
}

TEST(CodecValidation, SubjectMustNotBeEmptyWhenPresent) {
  expectError(validationError([](CloudEvent& e) { e.subject = ""; }), "subject", "subject", "must not be empty");
}

TEST(CodecValidation, TimeMustBeRfc3339) {
  const Error error = validationError([](CloudEvent& e) { e.time = "2026-13-01T00:00:00Z"; });
  EXPECT_EQ(error.where, "time");
  EXPECT_EQ(error.message, R"(attribute "time": "2026-13-01T00:00:00Z" is not an RFC 3339 timestamp)");
  for (const char* time : {"2026-00-10T00:00:00Z", "2026-01-32T00:00:00Z", "2025-02-29T00:00:00Z",
                           "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
                           "2026-01-01T00:00:61Z", "2026-01-01T00:00Z", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00",
                           "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+01:60",
                           "2026-01-01T00:00:00+0100", "26-01-01T00:00:00Z", "2026-01-01T00:00:00Zjunk", ""}) {
    expectError(validationError([&](CloudEvent& e) { e.time = time; }), "time", "time", "is not an RFC 3339 timestamp");
  }
}

TEST(CodecValidation, TimeAcceptsRfc3339Variants) {
  for (const char* time : {"2018-04-05T17:31:00Z", "2018-04-05t17:31:00z", "2024-02-29T23:59:60.123456789-05:30",
                           "2000-02-29T00:00:00+00:00", "1999-12-31T23:59:59.5+14:00", "1013-11-23T10:00:00Z",
                           "9999-12-31T23:59:59Z"}) {
    expectValid([&](CloudEvent& e) { e.time = time; });
  }
}

TEST(CodecValidation, DatacontenttypeMustBeANonEmptyMediaType) {
  expectError(validationError([](CloudEvent& e) { e.datacontenttype = ""; }), "datacontenttype", "datacontenttype",
              "must not be empty");
  for (const char* type : {"json", "text/", "/plain", "text/plain; charset", "text/pl ain", "text/plain; a=\"open",
                           "text/plain\r\nX-Injected: 1"}) {
    expectError(validationError([&](CloudEvent& e) { e.datacontenttype = type; }), "datacontenttype", "datacontenttype",
                "is not a media type");
  }
}

// Issue #17: "text/plain " passed and came back from binary mode as "text/plain".
TEST(CodecValidation, DatacontenttypeMustNotBeginOrEndWithWhitespace) {
  for (const char* type : {"text/plain ", "text/plain\t", "text/plain; ", " text/plain"}) {
    expectError(validationError([&](CloudEvent& e) { e.datacontenttype = type; }), "datacontenttype", "datacontenttype",
                "must not begin or end with whitespace");
  }
}

TEST(CodecValidation, DatacontenttypeAcceptsParameters) {
  for (const char* type : {"text/plain", "application/cloudevents+json; charset=UTF-8", "text/plain;charset=\"utf-8\"",
                           "multipart/form-data; boundary=\"a b\"; x=y", "text/plain;"}) {
    expectValid([&](CloudEvent& e) {
      e.datacontenttype = type;
      e.data = Data::text("x");
    });
  }
}

TEST(CodecValidation, ExtensionNamesMustBeLowerCaseAlphanumeric) {
  for (const char* name : {"Upper", "with_underscore", "with-dash", "dotted.name", "caf\xC3\xA9"}) {
    expectError(validationError([&](CloudEvent& e) { e.extensions[name] = true; }), name, name,
                "lower-case letters a-z and digits 0-9 only");
  }
}

TEST(CodecValidation, ExtensionNamesMustNotBeEmpty) {
  expectError(validationError([](CloudEvent& e) { e.extensions[""] = true; }), "", "", "lower-case letters");
}

TEST(CodecValidation, ExtensionNamesMustNotCollideWithContextAttributesOrData) {
  for (const char* name :
       {"id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time", "data"}) {
    expectError(validationError([&](CloudEvent& e) { e.extensions[name] = std::string("x"); }), name, name,
                "collides with a context attribute or the data member");
  }
  // data_base64 already breaks the character rule.
  expectError(validationError([](CloudEvent& e) { e.extensions["data_base64"] = std::string("x"); }), "data_base64",
              "data_base64", "lower-case letters");
}

// The spec only says names SHOULD NOT exceed 20 characters; they are accepted
// and survive every mode.
TEST(CodecValidation, AcceptsExtensionNamesLongerThanTwentyCharacters) {
  const std::string name = "averyveryverylongextensionname0123456789";
  ASSERT_GT(name.size(), 20u);
  const CloudEvent event = with([&](CloudEvent& e) { e.extensions[name] = std::string("long"); });
  EXPECT_FALSE(validate(event).has_value());
  auto structured = parseStructured(toStructured(event));
  ASSERT_TRUE(structured.ok()) << structured.error().message;
  EXPECT_EQ(structured.value().extensions.at(name), ExtensionValue(std::string("long")));
  const HttpMessage message = toBinary(event);
  auto binary = parseBinary(message.headers, message.body);
  ASSERT_TRUE(binary.ok()) << binary.error().message;
  EXPECT_EQ(binary.value().extensions.at(name), ExtensionValue(std::string("long")));
}

TEST(CodecValidation, JsonDataMustBeOneWellFormedValue) {
  for (const char* json : {"", "{", "{\"a\":1} {}", "[1,]", "'single'"}) {
    expectError(validationError([&](CloudEvent& e) { e.data = Data::json(json); }), "data", "data",
                "not well-formed JSON");
  }
}

TEST(CodecValidation, JsonDataCheckIsIterativeAndUnlimitedInDepth) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  expectValid([&](CloudEvent& e) { e.data = Data::json(deep); });
}

TEST(CodecValidation, TextDataMustBeValidUtf8) {
  expectError(validationError([](CloudEvent& e) {
                e.datacontenttype = "text/plain";
                e.data = Data::text("caf\xE9");
              }),
              "data", "data", "text data must be valid UTF-8");
}

TEST(CodecValidation, BytesDataMayHoldAnything) {
  expectValid([](CloudEvent& e) { e.data = Data::bytes(std::string("\x00\xFF", 2)); });
}

TEST(CodecValidation, MessageIsASentenceNamingAttributeAndRule) {
  const Error error = validationError([](CloudEvent& e) { e.source = "a b"; });
  EXPECT_EQ(error.message, R"(attribute "source": "a b" is not a URI-reference (RFC 3986))");
  EXPECT_THAT(validationError([](CloudEvent& e) { e.id = std::string(300, 'x') + "\xC3"; }).message, HasSubstr("..."))
      << "long values are shortened in messages";
}

}  // namespace
}  // namespace ccm::sdk::test
