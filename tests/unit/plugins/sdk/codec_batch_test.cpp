#include "codec_test_support.hpp"

namespace ccm::sdk::test {
namespace {

using ::testing::HasSubstr;

std::vector<CloudEvent> mixedEvents() {
  CloudEvent text = minimalEvent();
  text.id = "evt-2";
  text.datacontenttype = "text/plain";
  text.data = Data::text("hello");
  CloudEvent bytes = minimalEvent();
  bytes.id = "evt-3";
  bytes.datacontenttype = "image/png";
  bytes.data = Data::bytes("\x89PNG");
  return {fullEvent(), text, bytes};
}

TEST(CodecBatch, RoundTripsEventsWithJsonTextAndBinaryData) {
  const auto events = mixedEvents();
  auto parsed = parseBatch(toBatch(events));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed.value(), events);
}

TEST(CodecBatch, EmptyArrayIsAnEmptyBatch) {
  EXPECT_EQ(toBatch({}), "[]");
  auto parsed = parseBatch(" [ ] ");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed.value().empty());
}

TEST(CodecBatch, PrefixesMemberErrorsWithTheIndex) {
  const std::string good = minimalJsonWith("");
  const std::string bad = R"({"specversion":"1.0","id":"x","source":"not a uri","type":"t"})";
  const Error error = errorOf(parseBatch("[" + good + "," + good + "," + bad + "]"));
  expectError(error, "[2].source", "source", "not a URI-reference");
  EXPECT_THAT(error.message, HasSubstr("batch member [2]"));
}

TEST(CodecBatch, PrefixesMissingAttributeErrorsWithTheIndex) {
  const Error error = errorOf(parseBatch(R"([{"specversion":"1.0","id":"1","source":"/s"}])"));
  expectError(error, "[0].type", "type", "required but missing");
}

TEST(CodecBatch, RejectsNonArrayDocument) {
  for (const std::string& json : {minimalJsonWith(""), std::string("42"), std::string("null"), std::string("\"[]\"")}) {
    const Error error = errorOf(parseBatch(json));
    EXPECT_EQ(error.where, "") << json;
    EXPECT_THAT(error.message, HasSubstr("a batch must be a JSON array")) << json;
  }
}

TEST(CodecBatch, RejectsNonObjectMember) {
  const Error error = errorOf(parseBatch("[" + minimalJsonWith("") + ",42]"));
  EXPECT_EQ(error.where, "[1]");
  EXPECT_THAT(error.message, HasSubstr("batch member [1]: it is not a JSON object"));
}

TEST(CodecBatch, RejectsTrailingGarbage) {
  const Error error = errorOf(parseBatch("[]]"));
  EXPECT_EQ(error.where, "");
  EXPECT_THAT(error.message, HasSubstr("the batch is not well-formed JSON at byte 2"));
}

TEST(CodecBatch, DepthErrorNamesMemberAndAttribute) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const Error error = errorOf(parseBatch("[" + minimalJsonWith("") + "," + minimalJsonWith(",\"data\":" + deep) + "]"));
  expectError(error, "[1].data", "data", "max_depth");
}

TEST(CodecBatch, EventAndArrayDoNotCountTowardsTheDepthLimit) {
  const ParseLimits limits{.max_depth = 1};
  EXPECT_TRUE(parseBatch("[" + minimalJsonWith(R"(,"data":[1])") + "]", limits).ok());
  EXPECT_FALSE(parseBatch("[" + minimalJsonWith(R"(,"data":[[1]])") + "]", limits).ok());
}

}  // namespace
}  // namespace ccm::sdk::test
