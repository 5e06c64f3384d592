// sinks[].delivery.filter.cesql: compiled when the config is loaded, and
// refused with the file, line, JSON pointer and position in the expression.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.hpp"

namespace ccm::core {
namespace {

sdk::Result<GatewayConfig> loadWithFilter(const std::string& cesql_json) {
  const std::string text = R"({
  "sinks": [
    {"name": "a", "plugin": "file", "config": {"path": "/tmp/a"}},
    {"name": "b", "plugin": "file", "config": {"path": "/tmp/b"}},
    {"name": "c", "plugin": "file", "config": {"path": "/tmp/c"},
     "delivery": {"filter": {"types": ["ccm.*"],
                             "cesql": )" +
                           cesql_json + R"(}}}
  ]
})";
  return loadConfigText(text, "gw.json", [](const std::string&) { return std::nullopt; });
}

TEST(CesqlFilterConfig, AValidExpressionIsKeptInTheSinksDeliveryObject) {
  auto config = loadWithFilter(R"json("type LIKE 'ccm.lablet.session.%' AND subject IN ('a','b')")json");
                ASSERT_TRUE(config)
                << config.error().message;
  EXPECT_THAT(config.value().sinks.at(2).delivery_json,
              ::testing::HasSubstr(R"json("cesql":"type LIKE 'ccm.lablet.session.%' AND subject IN ('a','b')")json"));
}

TEST(CesqlFilterConfig, ParseErrorNamesFileLinePointerAndPosition) {
  auto config = loadWithFilter(R"("type LIKE 'ccm.%' AND subject IN ('a', 'b'")");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "gw.json:7: /sinks/2/delivery/filter/cesql: not a valid CESQL filter: expected ')' to close the IN set, "
            "found the end of the expression at position 43");
}

TEST(CesqlFilterConfig, LikeWithoutAStringLiteralIsRefused) {
  auto config = loadWithFilter(R"("subject LIKE 123")");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "gw.json:7: /sinks/2/delivery/filter/cesql: not a valid CESQL filter: expected a string literal after "
            "LIKE (its pattern must be a string literal), found an integer at position 14");
}

TEST(CesqlFilterConfig, UnknownFunctionIsRefusedAtLoadRatherThanFailingEveryEvent) {
  auto config = loadWithFilter(R"json("LOWER(type) = 'x' AND STARTS_WITH(subject, 'a')")json");
      ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message,
              ::testing::EndsWith("/sinks/2/delivery/filter/cesql: not a valid CESQL filter: no function STARTS_WITH "
                                  "(CESQL v1 has no such built-in) at position 23"));
}

TEST(CesqlFilterConfig, ExpressionThatCannotGiveABooleanIsRefused) {
  auto config = loadWithFilter(R"json("CONCAT(type, subject)")json");
      ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message,
              ::testing::EndsWith("not a valid CESQL filter: the expression gives a String; a filter needs a Boolean "
                                  "at position 1"));
}

TEST(CesqlFilterConfig, AndAndOrWithoutParenthesesAreRefused) {
  auto config = loadWithFilter(R"("subject = 'a' AND type = 't' OR type = 'u'")");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, ::testing::HasSubstr("AND and OR without parentheses"));
  EXPECT_THAT(config.error().message, ::testing::EndsWith("at position 30"));
}

TEST(CesqlFilterConfig, EmptyOrOverlongExpressionIsRefusedByTheSchema) {
  auto empty = loadWithFilter(R"("")");
  ASSERT_FALSE(empty);
  EXPECT_THAT(empty.error().message, ::testing::HasSubstr("/sinks/2/delivery/filter/cesql"));
  EXPECT_THAT(empty.error().message, ::testing::HasSubstr("minLength"));
  auto overlong = loadWithFilter("\"" + std::string(4097, 'a') + "\"");
  ASSERT_FALSE(overlong);
  EXPECT_THAT(overlong.error().message, ::testing::HasSubstr("maxLength"));
}

}  // namespace
}  // namespace ccm::core
