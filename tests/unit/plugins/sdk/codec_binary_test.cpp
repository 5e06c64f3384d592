#include "codec_test_support.hpp"

namespace ccm::sdk::test {
namespace {

using ::testing::HasSubstr;

CloudEvent binaryRoundTrip(const CloudEvent& event) {
  const HttpMessage message = toBinary(event);
  auto parsed = parseBinary(message.headers, message.body);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed.value() : CloudEvent{};
}

Headers minimalHeaders() {
  return {
      {"ce-specversion", "1.0"}, {"ce-id", "evt-1"}, {"ce-source", "/sensors/7"}, {"ce-type", "com.example.reading"}};
}

Headers withHeader(Headers headers, std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return headers;
}

TEST(CodecBinary, RoundTripsMinimalEvent) {
  EXPECT_EQ(binaryRoundTrip(minimalEvent()), minimalEvent());
}

TEST(CodecBinary, RoundTripsAllOptionalAttributesWithNonAsciiValues) {
  CloudEvent event = minimalEvent();
  event.datacontenttype = "application/json";
  event.dataschema = "https://example.com/schema.json";
  event.subject = "caf\xC3\xA9 \"menu\" 100% \xE2\x82\xAC";
  event.time = "2026-03-01T12:30:15Z";
  event.data = Data::json(R"({"pretty":true})");
  EXPECT_EQ(binaryRoundTrip(event), event);
}

// Issue #17: a body with insignificant whitespace was kept verbatim, so the
// same event read differently in binary and structured mode.
TEST(CodecBinary, ReadsJsonBodyWithoutInsignificantWhitespaceAsStructuredModeDoes) {
  const std::string body = "{\t\"lablet_session_id\" : \"s-1\",\n \"n\": [1, 2.50, -0]}";
  auto binary = parseBinary(withHeader(minimalHeaders(), "Content-Type", "application/json"), body);
  ASSERT_TRUE(binary.ok()) << binary.error().message;
  EXPECT_EQ(binary.value().data, Data::json(R"({"lablet_session_id":"s-1","n":[1,2.50,-0]})"));
  auto structured = parseStructured(minimalJsonWith(R"(,"datacontenttype":"application/json","data":)" + body));
  ASSERT_TRUE(structured.ok()) << structured.error().message;
  EXPECT_EQ(binary.value(), structured.value());
}

// Issue #17: bytes without a datacontenttype were sent unlabelled, which every
// receiver (ours included) reads as JSON and refuses.
TEST(CodecBinary, LabelsUnlabelledBytesAndTextSoTheyReadBack) {
  CloudEvent bytes = minimalEvent();
  bytes.data = Data::bytes(std::string("\x00\x01\xFE", 3));
  const HttpMessage bytes_message = toBinary(bytes);
  EXPECT_THAT(bytes_message.headers,
              ::testing::Contains(std::pair<std::string, std::string>("Content-Type", "application/octet-stream")));
  CloudEvent labelled = bytes;
  labelled.datacontenttype = "application/octet-stream";
  EXPECT_EQ(binaryRoundTrip(bytes), labelled);

  CloudEvent text = minimalEvent();
  text.data = Data::text("not json");
  labelled = text;
  labelled.datacontenttype = "text/plain; charset=utf-8";
  EXPECT_EQ(binaryRoundTrip(text), labelled);
}

// Issue #17: a datacontenttype naming a CloudEvents format, put into
// Content-Type, made the receiver read the data as a structured event.
TEST(CodecBinary, WritesAnEventWhoseDataIsAnEventFormatInStructuredMode) {
  CloudEvent event = minimalEvent();
  event.datacontenttype = "application/cloudevents+json";
  event.data = Data::json(toStructured(fullEvent()));
  const HttpMessage message = toBinary(event);
  ASSERT_EQ(message.headers.size(), 1u);
  EXPECT_EQ(message.headers[0], (std::pair<std::string, std::string>("Content-Type", "application/cloudevents+json")));
  EXPECT_EQ(message.body, toStructured(event));
  auto parsed = parseHttp(message.headers, message.body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed.value().size(), 1u);
  EXPECT_EQ(parsed.value()[0], event);
}

TEST(CodecBinary, RoundTripsJsonDataWithoutContentType) {
  CloudEvent event = minimalEvent();
  event.data = Data::json("[1,2,3]");
  const HttpMessage message = toBinary(event);
  for (const auto& header : message.headers) EXPECT_NE(header.first, "Content-Type");
  EXPECT_EQ(binaryRoundTrip(event), event);
}

TEST(CodecBinary, RoundTripsTextData) {
  CloudEvent event = minimalEvent();
  event.datacontenttype = "text/plain; charset=utf-8";
  event.data = Data::text("caf\xC3\xA9\n");
  EXPECT_EQ(binaryRoundTrip(event), event);
}

TEST(CodecBinary, RoundTripsBinaryData) {
  CloudEvent event = minimalEvent();
  event.datacontenttype = "application/octet-stream";
  event.data = Data::bytes(std::string("\x00\x01\xFE\xFF", 4));
  EXPECT_EQ(binaryRoundTrip(event), event);
}

TEST(CodecBinary, SendsContentTypeForDatacontenttypeEvenWithoutData) {
  CloudEvent event = minimalEvent();
  event.datacontenttype = "text/plain";
  const HttpMessage message = toBinary(event);
  EXPECT_EQ(message.headers.back(), (std::pair<std::string, std::string>{"Content-Type", "text/plain"}));
  EXPECT_EQ(message.body, "");
  EXPECT_EQ(binaryRoundTrip(event), event);
}

TEST(CodecBinary, RoundTripsExtensionsOfEachTypeAsStrings) {
  CloudEvent event = minimalEvent();
  event.extensions["flag"] = true;
  event.extensions["count"] = std::int32_t{-7};
  event.extensions["label"] = std::string("a b");
  CloudEvent expected = event;
  expected.extensions["flag"] = std::string("true");
  expected.extensions["count"] = std::string("-7");
  EXPECT_EQ(binaryRoundTrip(event), expected);
}

TEST(CodecBinary, MatchesHeaderNamesCaseInsensitively) {
  const Headers headers = {{"CE-SpecVersion", "1.0"},          {"Ce-Id", "evt-1"}, {"ce-SOURCE", "/sensors/7"},
                           {"CE-TYPE", "com.example.reading"}, {"CE-MyExt", "x"},  {"CONTENT-TYPE", "text/plain"}};
  auto event = parseBinary(headers, "hi");
  ASSERT_TRUE(event.ok()) << event.error().message;
  CloudEvent expected = minimalEvent();
  expected.extensions["myext"] = std::string("x");
  expected.datacontenttype = "text/plain";
  expected.data = Data::text("hi");
  EXPECT_EQ(event.value(), expected);
}

TEST(CodecBinary, IgnoresUnrelatedHeadersAndTrimsWhitespace) {
  auto event = parseBinary(withHeader(withHeader(minimalHeaders(), "Accept", "*/*"), "ce-subject", "  room  "), "");
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event.value().subject, "room");
  EXPECT_TRUE(event.value().data.empty());
}

TEST(CodecBinary, ReadsNonTextNonJsonBodyAsBytesAndNonUtf8TextAsBytes) {
  auto xml = parseBinary(withHeader(minimalHeaders(), "Content-Type", "application/xml"), "<a/>");
  ASSERT_TRUE(xml.ok()) << xml.error().message;
  EXPECT_EQ(xml.value().data, Data::bytes("<a/>"));
  auto latin1 = parseBinary(withHeader(minimalHeaders(), "Content-Type", "text/plain; charset=iso-8859-1"), "caf\xE9");
  ASSERT_TRUE(latin1.ok()) << latin1.error().message;
  EXPECT_EQ(latin1.value().data, Data::bytes("caf\xE9"));
}

TEST(CodecBinary, RejectsBodyThatIsNotJsonWhenContentTypeIsJsonOrAbsent) {
  expectError(errorOf(parseBinary(minimalHeaders(), "not json")), "data", "data", "not well-formed JSON");
  expectError(errorOf(parseBinary(withHeader(minimalHeaders(), "Content-Type", "application/json"), "{\"a\":}")),
              "data", "data", "not well-formed JSON at byte 5");
}

TEST(CodecBinary, RejectsMissingRequiredHeader) {
  Headers headers = minimalHeaders();
  headers.erase(headers.begin() + 1);
  expectError(errorOf(parseBinary(headers, "")), "id", "id", "header \"ce-id\" is missing");
  headers = minimalHeaders();
  headers.erase(headers.begin());
  expectError(errorOf(parseBinary(headers, "")), "specversion", "specversion", "header \"ce-specversion\" is missing");
}

TEST(CodecBinary, RejectsCeDatacontenttypeHeader) {
  expectError(errorOf(parseBinary(withHeader(minimalHeaders(), "ce-datacontenttype", "text/plain"), "")),
              "datacontenttype", "datacontenttype", "must not be used");
}

TEST(CodecBinary, RejectsDuplicateHeaders) {
  const Error error = errorOf(parseBinary(withHeader(minimalHeaders(), "CE-ID", "evt-2"), ""));
  EXPECT_EQ(error.where, "ce-id");
  EXPECT_THAT(error.message, HasSubstr("\"ce-id\" appears more than once"));
}

TEST(CodecBinary, RejectsMalformedPercentEscapeNamingTheHeader) {
  for (const char* value : {"%G1", "abc%", "abc%4", "%%"}) {
    const Error error = errorOf(parseBinary(withHeader(minimalHeaders(), "ce-subject", value), ""));
    EXPECT_EQ(error.where, "ce-subject") << value;
    EXPECT_THAT(error.message, HasSubstr("header \"ce-subject\"")) << value;
    EXPECT_THAT(error.message, HasSubstr("is not a valid percent-escape")) << value;
  }
}

TEST(CodecBinary, RejectsInvalidUtf8AfterDecodingNamingTheHeader) {
  const Error error = errorOf(parseBinary(withHeader(minimalHeaders(), "ce-myext", "%C3%28"), ""));
  EXPECT_EQ(error.where, "ce-myext");
  EXPECT_THAT(error.message, HasSubstr("header \"ce-myext\": the decoded value is not valid UTF-8"));
}

TEST(CodecBinary, ValidatesDecodedAttributes) {
  expectError(errorOf(parseBinary(withHeader(minimalHeaders(), "ce-time", "2026-02-30T00:00:00Z"), "")), "time", "time",
              "not an RFC 3339 timestamp");
  expectError(errorOf(parseBinary(withHeader(minimalHeaders(), "ce-My_Ext", "1"), "")), "my_ext", "my_ext",
              "lower-case letters");
}

HttpMessage structuredMessage(std::string content_type, std::string body) {
  return {{{"Content-Type", std::move(content_type)}}, std::move(body)};
}

TEST(CodecHttp, ReadsStructuredModeByContentType) {
  const HttpMessage message =
      structuredMessage("Application/CloudEvents+JSON; charset=UTF-8", toStructured(fullEvent()));
  auto events = parseHttp(message.headers, message.body);
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(events.value(), std::vector<CloudEvent>{fullEvent()});
}

TEST(CodecHttp, ReadsBatchModeByContentType) {
  const std::vector<CloudEvent> batch = {fullEvent(), minimalEvent()};
  const Headers headers = {{"content-type", std::string(kBatchContentType)}};
  auto events = parseHttp(headers, toBatch(batch));
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(events.value(), batch);
}

TEST(CodecHttp, ReadsBinaryModeForAnyOtherContentType) {
  CloudEvent event = minimalEvent();
  event.datacontenttype = "application/json";
  event.data = Data::json(R"({"a":1})");
  const HttpMessage message = toBinary(event);
  auto events = parseHttp(message.headers, message.body);
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(events.value(), std::vector<CloudEvent>{event});
  auto without_content_type = parseHttp(minimalHeaders(), "");
  ASSERT_TRUE(without_content_type.ok()) << without_content_type.error().message;
  EXPECT_EQ(without_content_type.value(), std::vector<CloudEvent>{minimalEvent()});
}

TEST(CodecHttp, RejectsUnsupportedEventFormat) {
  for (const char* type : {"application/cloudevents+xml", "application/cloudevents-batch+protobuf"}) {
    const HttpMessage message = structuredMessage(type, "{}");
    const Error error = errorOf(parseHttp(message.headers, message.body));
    EXPECT_EQ(error.where, "Content-Type") << type;
    EXPECT_THAT(error.message, HasSubstr("unsupported event format")) << type;
  }
}

TEST(CodecHttp, AppliesDepthLimitInEveryMode) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const Headers binary = withHeader(minimalHeaders(), "Content-Type", "application/json");
  expectError(errorOf(parseHttp(binary, deep)), "data", "data", "max_depth (64 levels)");
  expectError(errorOf(parseHttp(binary, "[[[1]]]", ParseLimits{.max_depth = 2})), "data", "data", "(2 levels)");
  const HttpMessage structured =
      structuredMessage(std::string(kStructuredContentType), minimalJsonWith(",\"data\":" + deep));
  expectError(errorOf(parseHttp(structured.headers, structured.body)), "data", "data", "max_depth");
}

TEST(CodecHttp, RejectsDuplicateContentType) {
  const Headers headers = {{"Content-Type", "text/plain"}, {"content-type", "text/html"}};
  const Error error = errorOf(parseHttp(headers, ""));
  EXPECT_EQ(error.where, "Content-Type");
  EXPECT_THAT(error.message, HasSubstr("more than once"));
}

// Events as a reader produces them (labelled data, compact JSON, string
// extensions) read back identical from each of the three modes.
TEST(CodecHttp, EveryModeReadsBackWhatItWrites) {
  std::vector<CloudEvent> events;
  CloudEvent full = fullEvent();
  full.extensions = {{"comexamplestring", std::string("caf\xC3\xA9 100%")}};
  events.push_back(full);
  events.push_back(minimalEvent());
  CloudEvent bytes = minimalEvent();
  bytes.datacontenttype = "image/png";
  bytes.data = Data::bytes(std::string("\x89PNG\r\n\x1A\n\x00", 9));
  events.push_back(bytes);
  CloudEvent text = minimalEvent();
  text.datacontenttype = "text/csv; charset=utf-8";
  text.data = Data::text("a,b\n1,\"2\"\n");
  events.push_back(text);
  CloudEvent nested = minimalEvent();
  nested.datacontenttype = "application/cloudevents+json";
  nested.data = Data::json(toStructured(minimalEvent()));
  events.push_back(nested);
  CloudEvent json_string = minimalEvent();
  json_string.datacontenttype = "application/vnd.example+json";
  json_string.data = Data::json(R"("just a string")");
  events.push_back(json_string);

  for (const CloudEvent& event : events) {
    const std::string label = toStructured(event);
    const HttpMessage binary = toBinary(event);
    const HttpMessage structured = structuredMessage("application/cloudevents+json", toStructured(event));
    const HttpMessage batch = structuredMessage("application/cloudevents-batch+json", toBatch({event, event}));
    for (const HttpMessage* message : {&binary, &structured, &batch}) {
      auto parsed = parseHttp(message->headers, message->body);
      ASSERT_TRUE(parsed.ok()) << label << ": " << parsed.error().message;
      for (const CloudEvent& read : parsed.value()) EXPECT_EQ(read, event) << label << " from " << message->body;
    }
  }
}

}  // namespace
}  // namespace ccm::sdk::test
