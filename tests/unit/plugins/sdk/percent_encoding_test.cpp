#include "codec_test_support.hpp"

namespace ccm::sdk::test {
namespace {

using ::testing::HasSubstr;

TEST(CodecPercentEncoding, KeepsPrintableAscii) {
  EXPECT_EQ(percentEncodeHeaderValue("/sensors/7?x=1&y=[2]#frag~!'*"), "/sensors/7?x=1&y=[2]#frag~!'*");
}

TEST(CodecPercentEncoding, EncodesSpaceDoubleQuoteAndPercent) {
  EXPECT_EQ(percentEncodeHeaderValue("a b"), "a%20b");
  EXPECT_EQ(percentEncodeHeaderValue("say \"hi\""), "say%20%22hi%22");
  EXPECT_EQ(percentEncodeHeaderValue("100%"), "100%25");
}

TEST(CodecPercentEncoding, EncodesEachUtf8ByteInUpperCaseHex) {
  EXPECT_EQ(percentEncodeHeaderValue("\xC3\xA9"), "%C3%A9");         // é
  EXPECT_EQ(percentEncodeHeaderValue("\xE2\x82\xAC"), "%E2%82%AC");  // €
  EXPECT_EQ(percentEncodeHeaderValue("\xF0\x9F\x98\x80"), "%F0%9F%98%80");
}

TEST(CodecPercentEncoding, EncodesControlCharactersAndDelete) {
  EXPECT_EQ(percentEncodeHeaderValue(std::string("\r\n\t\x7F\x00", 5)), "%0D%0A%09%7F%00");
}

TEST(CodecPercentEncoding, DecodesWhatItEncodes) {
  const std::string value = std::string("caf\xC3\xA9 \"menu\" 100% \xE2\x82\xAC\r\n") + '\0';
  auto decoded = percentDecodeHeaderValue(percentEncodeHeaderValue(value));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded.value(), value);
}

TEST(CodecPercentEncoding, DecodesLowerCaseHexAndKeepsUnencodedBytes) {
  auto decoded = percentDecodeHeaderValue("caf%c3%a9 ok");
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded.value(), "caf\xC3\xA9 ok");
}

TEST(CodecPercentEncoding, RejectsMalformedEscapes) {
  for (const char* value : {"%G1", "%1G", "trailing%", "short%4", "%%41", "%"}) {
    auto decoded = percentDecodeHeaderValue(value);
    ASSERT_FALSE(decoded.ok()) << value;
    EXPECT_THAT(decoded.error().message, HasSubstr("is not a valid percent-escape")) << value;
  }
  EXPECT_THAT(percentDecodeHeaderValue("ab%G1").error().message, HasSubstr("\"%G1\" at byte 2"));
}

TEST(CodecPercentEncoding, RejectsInvalidUtf8AfterDecoding) {
  for (const char* value : {"%C3", "%C3%28", "%ED%A0%80", "%C0%AF", "%F4%90%80%80", "%FF"}) {
    auto decoded = percentDecodeHeaderValue(value);
    ASSERT_FALSE(decoded.ok()) << value;
    EXPECT_THAT(decoded.error().message, HasSubstr("not valid UTF-8")) << value;
  }
}

}  // namespace
}  // namespace ccm::sdk::test
