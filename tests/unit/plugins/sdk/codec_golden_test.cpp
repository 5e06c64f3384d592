// Exact wire bytes for fixed events; any change here is a wire-format change.
#include "codec_test_support.hpp"

namespace ccm::sdk::test {
namespace {

// The JSON format 3.2 example, with every optional attribute set.
CloudEvent goldenEvent() {
  CloudEvent event;
  event.id = "A234-1234-1234";
  event.source = "/mycontext";
  event.type = "com.example.someevent";
  event.datacontenttype = "application/json";
  event.dataschema = "https://example.com/schema.json";
  event.subject = "caf\xC3\xA9 \"50%\"";
  event.time = "2018-04-05T17:31:00Z";
  event.extensions["comexampleextension1"] = std::string("value");
  event.extensions["comexampleothervalue"] = std::int32_t{5};
  event.extensions["isflagged"] = true;
  event.data = Data::json(R"({"appinfoA":"abc","appinfoB":123,"appinfoC":true})");
  return event;
}

CloudEvent goldenBinaryDataEvent() {
  CloudEvent event;
  event.id = "B234-1234-1234";
  event.source = "/mycontext/4";
  event.type = "com.example.someevent";
  event.datacontenttype = "application/vnd.apache.thrift.binary";
  event.data = Data::bytes(std::string("\x00\x01\x02hello", 8));
  return event;
}

constexpr std::string_view kGoldenStructured =
    R"({"specversion":"1.0","id":"A234-1234-1234","source":"/mycontext","type":"com.example.someevent",)"
    R"("datacontenttype":"application/json","dataschema":"https://example.com/schema.json",)"
    R"("subject":"café \"50%\"","time":"2018-04-05T17:31:00Z","comexampleextension1":"value",)"
    R"("comexampleothervalue":5,"isflagged":true,"data":{"appinfoA":"abc","appinfoB":123,"appinfoC":true}})";

constexpr std::string_view kGoldenBinaryData =
    R"({"specversion":"1.0","id":"B234-1234-1234","source":"/mycontext/4","type":"com.example.someevent",)"
    R"("datacontenttype":"application/vnd.apache.thrift.binary","data_base64":"AAECaGVsbG8="})";

TEST(CodecGolden, StructuredBytes) {
  EXPECT_EQ(toStructured(goldenEvent()), kGoldenStructured);
  EXPECT_EQ(toStructured(goldenBinaryDataEvent()), kGoldenBinaryData);
}

TEST(CodecGolden, StructuredTextDataIsAJsonString) {
  CloudEvent event;
  event.id = "1";
  event.source = "/s";
  event.type = "t";
  event.datacontenttype = "text/xml";
  event.data = Data::text("<much wow=\"xml\"/>\n");
  EXPECT_EQ(toStructured(event),
            R"({"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"text/xml",)"
            R"("data":"<much wow=\"xml\"/>\n"})");
}

TEST(CodecGolden, BatchBytes) {
  EXPECT_EQ(toBatch({goldenEvent(), goldenBinaryDataEvent()}),
            "[" + std::string(kGoldenStructured) + "," + std::string(kGoldenBinaryData) + "]");
}

TEST(CodecGolden, BinaryHeadersAndBody) {
  const HttpMessage message = toBinary(goldenEvent());
  const Headers expected = {
      {"ce-specversion", "1.0"},
      {"ce-id", "A234-1234-1234"},
      {"ce-source", "/mycontext"},
      {"ce-type", "com.example.someevent"},
      {"ce-dataschema", "https://example.com/schema.json"},
      {"ce-subject", "caf%C3%A9%20%2250%25%22"},
      {"ce-time", "2018-04-05T17:31:00Z"},
      {"ce-comexampleextension1", "value"},
      {"ce-comexampleothervalue", "5"},
      {"ce-isflagged", "true"},
      {"Content-Type", "application/json"},
  };
  EXPECT_EQ(message.headers, expected);
  EXPECT_EQ(message.body, R"({"appinfoA":"abc","appinfoB":123,"appinfoC":true})");
}

TEST(CodecGolden, BinaryBodyOfBytesIsRaw) {
  const HttpMessage message = toBinary(goldenBinaryDataEvent());
  EXPECT_EQ(message.headers.back(),
            (std::pair<std::string, std::string>{"Content-Type", "application/vnd.apache.thrift.binary"}));
  EXPECT_EQ(message.body, std::string("\x00\x01\x02hello", 8));
}

TEST(CodecGolden, ParsesGoldenBytesBackToTheEvent) {
  auto structured = parseStructured(kGoldenStructured);
  ASSERT_TRUE(structured.ok()) << structured.error().message;
  EXPECT_EQ(structured.value(), goldenEvent());
  auto batch = parseBatch("[" + std::string(kGoldenStructured) + "," + std::string(kGoldenBinaryData) + "]");
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_EQ(batch.value(), (std::vector<CloudEvent>{goldenEvent(), goldenBinaryDataEvent()}));
}

}  // namespace
}  // namespace ccm::sdk::test
