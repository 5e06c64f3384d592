// Evaluation rules the TCK does not reach: 32-bit overflow, characters of
// UTF-8 text, LIKE's worst case, and the filter's Boolean-and-no-error rule.
#include <gtest/gtest.h>

#include <string>

#include "cesql/expression.hpp"
#include "cesql/filter.hpp"

namespace ccm::core::cesql {
namespace {

Evaluation evaluate(const std::string& text, const sdk::CloudEvent& event = {}) {
  auto parsed = Expression::parse(text);
  if (!parsed) return {"parse error: " + parsed.error().describe()};
  return parsed.value().evaluate(event);
}

std::string errorOf(const Evaluation& evaluation) {
  return evaluation.error ? errorKindName(evaluation.error->kind) : "none";
}

TEST(CesqlEvaluation, IntegerOverflowIsAMathErrorWithZero) {
  for (const char* text : {"2147483647 + 1", "-2147483648 - 1", "65536 * 65536", "-2147483648 / -1", "- -2147483648"}) {
    const auto result = evaluate(text);
    EXPECT_EQ(result.value, Value(std::int32_t{0})) << text;
    EXPECT_EQ(errorOf(result), "math") << text;
  }
  const auto remainder = evaluate("-2147483648 % -1");
  EXPECT_EQ(remainder.value, Value(std::int32_t{0}));
  EXPECT_EQ(errorOf(remainder), "none");
  EXPECT_EQ(evaluate("-7 / 2").value, Value(std::int32_t{-3}));
  EXPECT_EQ(evaluate("-7 % 2").value, Value(std::int32_t{-1}));
}

TEST(CesqlEvaluation, StringFunctionsCountCharactersNotBytes) {
  EXPECT_EQ(evaluate("LENGTH('héllo')").value, Value(std::int32_t{5}));
  EXPECT_EQ(evaluate("LEFT('héllo', 2)").value, Value(std::string("hé")));
  EXPECT_EQ(evaluate("RIGHT('ñandú', 2)").value, Value(std::string("dú")));
  EXPECT_EQ(evaluate("SUBSTRING('héllo', -4, 2)").value, Value(std::string("él")));
  EXPECT_EQ(evaluate("UPPER('éa')").value, Value(std::string("ÉA")));
  EXPECT_EQ(evaluate("LOWER('ÀB')").value, Value(std::string("àb")));
  EXPECT_EQ(evaluate("'é' LIKE '_'").value, Value(true));
}

TEST(CesqlEvaluation, TrimRemovesUnicodeWhiteSpaceOnly) {
  EXPECT_EQ(evaluate("TRIM('\u00a0\t x y\u3000 ')").value, Value(std::string("x y")));
  EXPECT_EQ(evaluate("TRIM('\u200bx')").value, Value(std::string("\u200bx")));  // zero width space is not White_Space
}

TEST(CesqlEvaluation, FunctionArgumentErrorsGiveTheFunctionsZeroValue) {
  const auto length = evaluate("LENGTH(missing)");
  EXPECT_EQ(length.value, Value(std::int32_t{0}));
  EXPECT_EQ(errorOf(length), "missingAttribute");
  const auto left = evaluate("LEFT('abc', 'x')");
  EXPECT_EQ(left.value, Value(std::string()));
  EXPECT_EQ(errorOf(left), "cast");
  const auto substring = evaluate("SUBSTRING('abc', 1, -1)");
  EXPECT_EQ(substring.value, Value(std::string()));
  EXPECT_EQ(errorOf(substring), "functionEvaluation");
}

TEST(CesqlEvaluation, InStopsAtTheFirstEqualMember) {
  const auto found = evaluate("'a' IN ('a', missing)");
  EXPECT_EQ(found.value, Value(true));
  EXPECT_EQ(errorOf(found), "none");
  EXPECT_EQ(errorOf(evaluate("'b' IN ('a', missing)")), "missingAttribute");
}

TEST(CesqlEvaluation, ExtensionsKeepTheirTypes) {
  sdk::CloudEvent event;
  event.extensions = {{"attempt", std::int32_t{5}}, {"retried", true}, {"region", std::string("eu")}};
  EXPECT_EQ(evaluate("attempt + 1 = 6 AND retried AND region = 'eu'", event).value, Value(true));
  EXPECT_EQ(evaluate("EXISTS data", event).value, Value(false));  // the data is not an attribute
}

// '%' runs that cannot match: the matcher backtracks only to the last '%',
// so this is text length x pattern length steps, not exponential.
TEST(CesqlEvaluation, LikeWithManyPercentSignsStaysLinearInTheNumberOfRuns) {
  sdk::CloudEvent event;
  event.extensions["long"] = std::string(3000, 'a');
  std::string pattern;
  for (int i = 0; i < 40; ++i) pattern += "%a";
  EXPECT_EQ(evaluate("long LIKE '" + pattern + "%b'", event).value, Value(false));
  EXPECT_EQ(evaluate("long LIKE '" + pattern + "%'", event).value, Value(true));
  EXPECT_EQ(evaluate(R"('100%' LIKE '100\%' AND NOT ('1000' LIKE '100\%'))").value, Value(true));
}

TEST(CesqlFilter, PassesOnlyABooleanTrueWithoutError) {
  auto flag = Filter::compile("flag");
  ASSERT_TRUE(flag) << flag.error().describe();
  sdk::CloudEvent event;
  event.extensions["flag"] = true;
  EXPECT_TRUE(flag.value().matches(event));
  event.extensions["flag"] = std::string("true");  // a String, not a Boolean
  EXPECT_FALSE(flag.value().matches(event));
  event.extensions.erase("flag");
  EXPECT_FALSE(flag.value().matches(event));
}

TEST(CesqlFilter, RefusesWhatCanOnlyBeAMistake) {
  EXPECT_EQ(Filter::compile("LENGTH(subject)").error().describe(),
            "the expression gives an Integer; a filter needs a Boolean at position 1");
  EXPECT_EQ(Filter::compile("LEFT(subject) = 'a'").error().describe(),
            "function LEFT does not take 1 argument at position 1");
  EXPECT_EQ(Filter::compile("a = 1 OR b = 2 XOR c = 3").error().describe(),
            "OR and XOR without parentheses (CESQL reads \"a OR b XOR c\" as \"a OR (b XOR c)\"); add parentheses to "
            "say which is meant at position 16");
  EXPECT_TRUE(Filter::compile("a = 1 OR (b = 2 XOR c = 3)"));
  EXPECT_TRUE(Filter::compile("a = 1 OR b = 2 OR c = 3"));
}

}  // namespace
}  // namespace ccm::core::cesql
