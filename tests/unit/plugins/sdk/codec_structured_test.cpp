#include "codec_test_support.hpp"

namespace ccm::sdk::test {
namespace {

using ::testing::HasSubstr;

CloudEvent roundTrip(const CloudEvent& event) {
  auto parsed = parseStructured(toStructured(event));
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed.value() : CloudEvent{};
}

TEST(CodecStructured, RoundTripsMinimalEvent) {
  EXPECT_EQ(roundTrip(minimalEvent()), minimalEvent());
}

TEST(CodecStructured, RoundTripsAllOptionalAttributesExtensionsAndJsonData) {
  EXPECT_EQ(roundTrip(fullEvent()), fullEvent());
}

TEST(CodecStructured, RoundTripsJsonDataWithoutContentType) {
  CloudEvent event = minimalEvent();
  event.data = Data::json(R"([1,"two",{"three":3.25}])");
  EXPECT_EQ(roundTrip(event), event);
}

TEST(CodecStructured, RoundTripsTextDataWithNonJsonContentType) {
  CloudEvent event = minimalEvent();
  event.datacontenttype = "text/plain; charset=utf-8";
  event.data = Data::text("line \"one\"\nline two: caf\xC3\xA9");
  EXPECT_EQ(roundTrip(event), event);
}

TEST(CodecStructured, RoundTripsBinaryDataAsBase64) {
  CloudEvent event = minimalEvent();
  event.datacontenttype = "application/octet-stream";
  event.data = Data::bytes(std::string("\x00\xFF\x10raw", 6));
  EXPECT_EQ(roundTrip(event), event);
}

TEST(CodecStructured, RoundTripsExtensionsOfEachTypeAtInt32Limits) {
  CloudEvent event = minimalEvent();
  event.extensions["max"] = std::int32_t{2147483647};
  event.extensions["min"] = std::int32_t{-2147483647 - 1};
  event.extensions["no"] = false;
  event.extensions["text"] = std::string("caf\xC3\xA9 \"quoted\"");
  EXPECT_EQ(roundTrip(event), event);
}

// JSON format 3.1: without a non-JSON content type a data string is JSON, so
// Data::text only round-trips with a content type such as text/plain.
TEST(CodecStructured, TextDataWithoutContentTypeComesBackAsJsonString) {
  CloudEvent event = minimalEvent();
  event.data = Data::text("hello");
  EXPECT_EQ(toStructured(event), minimalJsonWith(R"(,"data":"hello")"));
  EXPECT_EQ(roundTrip(event).data, Data::json("\"hello\""));
}

TEST(CodecStructured, ReadsJsonDataAsCompactJson) {
  auto event = parseStructured(minimalJsonWith(R"(,"data" : { "a" : [ 1 , 2 ] , "b" : "x y" })"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event.value().data, Data::json(R"({"a":[1,2],"b":"x y"})"));
}

TEST(CodecStructured, KeepsNumbersInDataExactly) {
  const std::string data = R"([1e2,-0,0.10,123456789012345678901234567890,-1.5E-7])";
  auto event = parseStructured(minimalJsonWith(",\"data\":" + data));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event.value().data, Data::json(data));
}

TEST(CodecStructured, NormalizesStringEscapesInData) {
  auto event = parseStructured(minimalJsonWith(R"(,"data":{"s":"caf\u00e9 \/ \"q\"\n\u0001"})"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event.value().data, Data::json("{\"s\":\"caf\xC3\xA9 / \\\"q\\\"\\n\\u0001\"}"));
}

TEST(CodecStructured, ReadsStringDataAsJsonWhenContentTypeIsJsonIgnoringParameters) {
  auto event = parseStructured(minimalJsonWith(R"(,"datacontenttype":"Application/JSON; charset=utf-8","data":"hi")"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event.value().data, Data::json("\"hi\""));
}

TEST(CodecStructured, ReadsStringDataAsJsonForJsonSuffixAndTextJson) {
  for (const char* type : {"application/vnd.example+json", "text/json"}) {
    auto event = parseStructured(minimalJsonWith(std::string(R"(,"datacontenttype":")") + type + R"(","data":"hi")"));
    ASSERT_TRUE(event.ok()) << event.error().message;
    EXPECT_EQ(event.value().data, Data::json("\"hi\"")) << type;
  }
}

TEST(CodecStructured, ReadsStringDataAsTextWhenContentTypeIsNotJson) {
  auto event = parseStructured(minimalJsonWith(R"(,"datacontenttype":"text/xml","data":"<much wow=\"xml\"/>")"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event.value().data, Data::text(R"(<much wow="xml"/>)"));
}

TEST(CodecStructured, ReadsNonStringDataAsJsonEvenWhenContentTypeIsNotJson) {
  auto event = parseStructured(minimalJsonWith(R"(,"datacontenttype":"text/plain","data":{"n":1})"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event.value().data, Data::json(R"({"n":1})"));
}

TEST(CodecStructured, ReadsDataBase64AsBytes) {
  auto event = parseStructured(minimalJsonWith(R"(,"data_base64":"aGVsbG8=")"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event.value().data, Data::bytes("hello"));
}

TEST(CodecStructured, ReadsDataNullAsTheJsonValueNull) {
  auto event = parseStructured(minimalJsonWith(R"(,"data":null)"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event.value().data, Data::json("null"));
}

TEST(CodecStructured, TreatsNullOptionalAttributesExtensionsAndDataBase64AsAbsent) {
  auto event = parseStructured(minimalJsonWith(
      R"(,"datacontenttype":null,"dataschema":null,"subject":null,"time":null,"unsetext":null,"data_base64":null)"));
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event.value(), minimalEvent());
}

TEST(CodecStructured, RejectsNullRequiredAttribute) {
  const std::string json = R"({"specversion":"1.0","id":null,"source":"/s","type":"t"})";
  expectError(errorOf(parseStructured(json)), "id", "id", "must not be null");
}

TEST(CodecStructured, RejectsMissingRequiredAttributes) {
  expectError(errorOf(parseStructured(R"({"id":"1","source":"/s","type":"t"})")), "specversion", "specversion",
              "required but missing");
  expectError(errorOf(parseStructured(R"({"specversion":"1.0","id":"1","type":"t"})")), "source", "source",
              "required but missing");
}

TEST(CodecStructured, RejectsNonStringContextAttributes) {
  expectError(errorOf(parseStructured(R"({"specversion":"1.0","id":7,"source":"/s","type":"t"})")), "id", "id",
              "must be a JSON string");
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"subject":true)"))), "subject", "subject",
              "must be a JSON string or null");
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"time":["2026-01-01T00:00:00Z"])"))), "time", "time",
              "must be a JSON string, not an array");
}

TEST(CodecStructured, RejectsFloatObjectAndArrayExtensionValues) {
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"ratio":1.5)"))), "ratio", "ratio", "floating-point");
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"whole":1.0)"))), "whole", "whole", "floating-point");
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"obj":{})"))), "obj", "obj", "not an object");
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"arr":[1])"))), "arr", "arr", "not an array");
}

TEST(CodecStructured, RejectsIntegerExtensionsOutsideInt32) {
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"big":2147483648)"))), "big", "big",
              "2147483648 is outside the 32-bit range");
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"small":-2147483649)"))), "small", "small",
              "-2147483649 is outside the 32-bit range");
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"huge":123456789012345678901234567890)"))), "huge", "huge",
              "is outside the 32-bit range");
}

TEST(CodecStructured, RejectsDataAndDataBase64Together) {
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"data":1,"data_base64":"AA==")"))), "data_base64",
              "data_base64", "must not be present together with \"data\"");
}

TEST(CodecStructured, RejectsMalformedBase64) {
  for (const char* bad : {"aGVsbG8", "aGVsbG8==", "aGV=sbG8", "aGVs bG8=", "aGVsbG9=", "a*==", "aGVsbG8_"}) {
    expectError(errorOf(parseStructured(minimalJsonWith(std::string(R"(,"data_base64":")") + bad + "\""))),
                "data_base64", "data_base64", "not valid padded base64");
  }
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"data_base64":5)"))), "data_base64", "data_base64",
              "must be a JSON string");
}

TEST(CodecStructured, RejectsDuplicateMembers) {
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"id":"evt-2")"))), "id", "id", "more than once");
}

TEST(CodecStructured, RejectsNonObjectDocument) {
  for (const char* json : {"[]", "\"event\"", "42", "null"}) {
    const Error error = errorOf(parseStructured(json));
    EXPECT_EQ(error.where, "") << json;
    EXPECT_THAT(error.message, HasSubstr("must be a JSON object")) << json;
  }
}

TEST(CodecStructured, RejectsTrailingGarbageAndEmbeddedNul) {
  const Error garbage = errorOf(parseStructured(minimalJsonWith("") + " x"));
  EXPECT_EQ(garbage.where, "");
  EXPECT_THAT(garbage.message, HasSubstr("not well-formed JSON at byte"));
  const Error nul = errorOf(parseStructured(minimalJsonWith("") + std::string("\0{}", 3)));
  EXPECT_THAT(nul.message, HasSubstr("NUL byte"));
}

TEST(CodecStructured, RejectsMalformedJsonWithOffset) {
  const Error error = errorOf(parseStructured(R"({"specversion":"1.0",})"));
  EXPECT_EQ(error.where, "");
  EXPECT_THAT(error.message, HasSubstr("the structured event is not well-formed JSON at byte 21"));
}

TEST(CodecStructured, RejectsInvalidUtf8InJsonText) {
  const Error error = errorOf(parseStructured(minimalJsonWith(",\"subject\":\"\xC3\x28\"")));
  EXPECT_THAT(error.message, HasSubstr("not well-formed JSON"));
}

// Valid input skips RapidJSON's own encoding check after one pass over the
// whole body, eight ASCII bytes at a time: a bad byte at any place in or
// around those eight-byte words is still refused, with the same message.
TEST(CodecStructured, RejectsInvalidUtf8WhereverItIsInTheBody) {
  const std::string expected = errorOf(parseStructured(minimalJsonWith(",\"subject\":\"\xC3\x28\""))).message;
  EXPECT_THAT(expected, HasSubstr("Invalid encoding in string"));
  for (std::size_t padding = 0; padding < 20; ++padding) {
    for (const char* bad : {"\xC3\x28", "\xFF", "\xED\xA0\x80", "\xC0\xAF", "\xE2\x82"}) {
      const std::string members = ",\"subject\":\"" + std::string(padding, 'a') + bad + "\"";
      EXPECT_THAT(errorOf(parseStructured(minimalJsonWith(members))).message, HasSubstr("Invalid encoding in string"))
          << padding << " " << bad;
    }
  }
}

TEST(CodecStructured, ReadsMultibyteTextAfterAnyRunOfAscii) {
  for (std::size_t padding = 0; padding < 20; ++padding) {
    const std::string subject = std::string(padding, 'a') + "caf\xC3\xA9 \xF0\x9F\x98\x80 \xE2\x82\xAC";
    auto event = parseStructured(minimalJsonWith(",\"subject\":\"" + subject + "\""));
    ASSERT_TRUE(event) << padding << ": " << event.error().message;
    EXPECT_EQ(event.value().subject, subject);
  }
}

TEST(CodecStructured, ValidatesParsedEvent) {
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"time":"yesterday")"))), "time", "time",
              "not an RFC 3339 timestamp");
}

std::string nestedArrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

// Found by fuzzing (issue #17): RapidJSON decodes an escaped lone low
// surrogate into bytes that are not UTF-8, so the batch written from the
// event could not be read again.
TEST(CodecStructured, RejectsEscapedLoneSurrogatesWhereverTheyAre) {
  for (const char* members : {R"(,"data":{"\udd4e":1})", R"(,"data":["\udd4e"])", R"(,"data":"\udc00")"}) {
    expectError(errorOf(parseStructured(minimalJsonWith(members))), "data", "data", "names a lone surrogate");
  }
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"subject":"a\udfff")"))), "subject", "subject",
              "names a lone surrogate");
  EXPECT_THAT(errorOf(parseStructured(minimalJsonWith(R"(,"\udc00":"x")"))).message,
              HasSubstr("member name where a \\u escape names a lone surrogate"));
  expectError(errorOf(parseBinary({{"ce-specversion", "1.0"}, {"ce-id", "1"}, {"ce-source", "/s"}, {"ce-type", "t"}},
                                  R"({"k":"\udc00"})")),
              "data", "data", "names a lone surrogate");
  auto pair = parseStructured(minimalJsonWith(R"(,"data":"\ud83d\ude00")"));
  ASSERT_TRUE(pair.ok()) << pair.error().message;
  EXPECT_EQ(pair.value().data, Data::json("\"\xF0\x9F\x98\x80\""));
}

TEST(CodecDepth, RejectsHundredThousandDeepDataWithoutCrashing) {
  const Error error = errorOf(parseStructured(minimalJsonWith(",\"data\":" + nestedArrays(100000))));
  expectError(error, "data", "data", "ParseLimits::max_depth (64 levels)");
}

TEST(CodecDepth, RejectsHundredThousandDeepUnterminatedInput) {
  const Error error = errorOf(parseStructured(minimalJsonWith(",\"data\":" + std::string(100000, '['))));
  expectError(error, "data", "data", "max_depth");
}

TEST(CodecDepth, RejectsDeepObjectsOutsideDataAtTheFirstLevel) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += R"({"a":)";
  expectError(errorOf(parseStructured(minimalJsonWith(",\"ext\":" + deep))), "ext", "ext", "not an object");
  expectError(errorOf(parseStructured(minimalJsonWith(",\"subject\":" + deep))), "subject", "subject",
              "must be a JSON string, not an object");
}

TEST(CodecDepth, AcceptsExactlyMaxDepthAndRejectsOneMore) {
  EXPECT_TRUE(parseStructured(minimalJsonWith(",\"data\":" + nestedArrays(64))).ok());
  EXPECT_FALSE(parseStructured(minimalJsonWith(",\"data\":" + nestedArrays(65))).ok());
}

TEST(CodecDepth, HonoursCustomLimit) {
  const ParseLimits limits{.max_depth = 2};
  EXPECT_TRUE(parseStructured(minimalJsonWith(R"(,"data":{"a":[1]})"), limits).ok());
  expectError(errorOf(parseStructured(minimalJsonWith(R"(,"data":{"a":[[1]]})"), limits)), "data", "data",
              "ParseLimits::max_depth (2 levels)");
}

}  // namespace
}  // namespace ccm::sdk::test
