#include "ccm/sdk/text.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace ccm::sdk {
namespace {

using namespace std::string_view_literals;

TEST(EqualsIgnoreCase, AsciiLettersMatchInEitherCase) {
  EXPECT_TRUE(equalsIgnoreCase("Content-Type", "content-type"));
  EXPECT_TRUE(equalsIgnoreCase("CHUNKED", "chunked"));
  EXPECT_TRUE(equalsIgnoreCase("", ""));
}

TEST(EqualsIgnoreCase, DifferentLengthsOrLettersDoNotMatch) {
  EXPECT_FALSE(equalsIgnoreCase("chunked", "chunked "));
  EXPECT_FALSE(equalsIgnoreCase("Bearer", "Basic "));
  EXPECT_FALSE(equalsIgnoreCase("a", ""));
}

TEST(EqualsIgnoreCase, OnlyAsciiLettersFoldOtherBytesMustMatch) {
  EXPECT_FALSE(equalsIgnoreCase("[", "{"));  // 0x5B and 0x7B differ by the case bit but are not letters
  EXPECT_FALSE(equalsIgnoreCase("@", "`"));
  EXPECT_FALSE(equalsIgnoreCase("\xC3\x89", "\xC3\xA9"));  // É and é: UTF-8 is compared byte for byte
  EXPECT_TRUE(equalsIgnoreCase("\xC3\x89", "\xC3\x89"));
  EXPECT_TRUE(equalsIgnoreCase("a\0B"sv, "A\0b"sv));
}

TEST(Utf8Prefix, CutsAtTheLimitButNeverInsideACharacter) {
  EXPECT_EQ(utf8Prefix("short", 10), "short");
  EXPECT_EQ(utf8Prefix("abcdef", 3), "abc");
  EXPECT_EQ(utf8Prefix("ab\xC3\xA9z", 3), "ab");         // é would be cut after its first byte
  EXPECT_EQ(utf8Prefix("ab\xC3\xA9z", 4), "ab\xC3\xA9");
  EXPECT_EQ(utf8Prefix("\xE2\x82\xAC", 2), "");         // a three-byte character that does not fit
  EXPECT_EQ(utf8Prefix("abc", 0), "");
}

}  // namespace
}  // namespace ccm::sdk
