// What the TCK leaves open: parse errors and their positions, the limits on
// an expression, and how operators group.
#include <gtest/gtest.h>

#include <string>

#include "cesql/expression.hpp"
#include "cesql/parser.hpp"

namespace ccm::core::cesql {
namespace {

std::string parseError(const std::string& text) {
  auto parsed = Expression::parse(text);
  return parsed ? "parsed" : parsed.error().describe();
}

Value valueOf(const std::string& text) {
  auto parsed = Expression::parse(text);
  if (!parsed) return "parse error: " + parsed.error().describe();
  auto evaluation = parsed.value().evaluate(sdk::CloudEvent{});
  if (evaluation.error) return std::string("error: ") + errorKindName(evaluation.error->kind);
  return evaluation.value;
}

TEST(CesqlParser, ErrorsNameWhatWasExpectedAndThePosition) {
  EXPECT_EQ(parseError("a = (1 + 2"),
            "expected ')' to close the '(' at position 5, found the end of the expression "
            "at position 11");
  EXPECT_EQ(parseError("subject = 'abc"), "string literal without its closing ' at position 11");
  EXPECT_EQ(parseError("subject # 1"), "unexpected character '#' at position 9");
  EXPECT_EQ(parseError("subject = 1 2"), "expected the end of the expression, found an integer at position 13");
  EXPECT_EQ(parseError("my_ext = 1"), "attribute names are letters and digits, not \"my_ext\" at position 1");
  EXPECT_EQ(parseError("a IN ()"), "expected a value, found ')' at position 7");
  EXPECT_EQ(parseError("ABC("), "expected a value, found the end of the expression at position 5");
}

TEST(CesqlParser, PositionsCountCharactersNotBytes) {
  EXPECT_EQ(parseError("'é' = x #"), "unexpected character '#' at position 9");
}

TEST(CesqlParser, IntegerLiteralsAreThirtyTwoBit) {
  EXPECT_EQ(valueOf("-2147483648"), Value(std::int32_t{-2147483647 - 1}));
  EXPECT_EQ(valueOf("2147483647"), Value(std::int32_t{2147483647}));
  EXPECT_EQ(parseError("2147483648"),
            "integer literal 2147483648 outside the 32-bit range (-2147483648 to 2147483647) at position 1");
  EXPECT_EQ(parseError("1 + -2147483649"),
            "integer literal -2147483649 outside the 32-bit range (-2147483648 to 2147483647) at position 5");
}

TEST(CesqlParser, RefusesAnExpressionLongerThanTheLimit) {
  const std::string at_limit = "'" + std::string(kMaxExpressionBytes - 2, 'x') + "'";
  EXPECT_EQ(parseError(at_limit), "parsed");
  EXPECT_EQ(parseError(at_limit + " "), "expression longer than 4096 bytes at position 4097");
}

TEST(CesqlParser, RefusesNestingDeeperThanTheLimit) {
  const auto nested = [](std::size_t depth) { return std::string(depth, '(') + "1" + std::string(depth, ')'); };
  EXPECT_EQ(parseError(nested(kMaxExpressionHeight - 1)), "parsed");
  EXPECT_EQ(parseError(nested(kMaxExpressionHeight + 1)), "expression nested deeper than 64 levels at position 65");
  EXPECT_EQ(parseError(std::string(kMaxExpressionHeight, '-') + "1"), "parsed");  // the last sign is the literal's
  EXPECT_EQ(parseError(std::string(kMaxExpressionHeight + 1, '-') + "1"),
            "expression nested deeper than 64 levels at position 65");
}

// A left-leaning chain is parsed without recursion but evaluated with it,
// so its height is bounded too; a chain of AND/OR/XOR is flat and is not.
TEST(CesqlParser, BoundsTheHeightOfLongOperatorChainsButNotOfLogicChains) {
  std::string sum = "1";
  for (std::size_t i = 0; i < kMaxExpressionHeight; ++i) sum += " + 1";
  EXPECT_EQ(parseError(sum), "expression nested deeper than 64 levels at position 255");
  std::string alternatives = "subject = 's0'";
  for (int i = 1; i < 200; ++i) alternatives += " OR subject = 's" + std::to_string(i) + "'";
  ASSERT_EQ(parseError(alternatives), "parsed");
  sdk::CloudEvent event;
  event.subject = "s199";
  EXPECT_EQ(Expression::parse(alternatives).value().evaluate(event).value, Value(true));
}

TEST(CesqlParser, UnaryOperatorsBindTightest) {
  EXPECT_EQ(valueOf("NOT TRUE AND FALSE"), Value(false));  // NOT (TRUE AND FALSE) would be true
  EXPECT_EQ(valueOf("-2 * 3"), Value(std::int32_t{-6}));
}

TEST(CesqlParser, ArithmeticGroupsToTheLeftWithTheUsualPrecedence) {
  EXPECT_EQ(valueOf("1 + 2 * 3"), Value(std::int32_t{7}));
  EXPECT_EQ(valueOf("8 - 2 - 1"), Value(std::int32_t{5}));
  EXPECT_EQ(valueOf("5-3"), Value(std::int32_t{2}));
  EXPECT_EQ(valueOf("12 / 2 / 3"), Value(std::int32_t{2}));
}

// CESQLParser.g4: <assoc=right> on one level for AND, OR and XOR.
TEST(CesqlParser, LogicOperatorsShareOneLevelAndGroupToTheRight) {
  EXPECT_EQ(valueOf("FALSE AND FALSE OR TRUE"), Value(false));  // SQL's (FALSE AND FALSE) OR TRUE is true
  EXPECT_EQ(valueOf("TRUE OR FALSE AND FALSE"), Value(true));
  EXPECT_EQ(valueOf("TRUE XOR TRUE XOR TRUE"), Value(true));
  EXPECT_EQ(valueOf("TRUE XOR FALSE AND FALSE"), Value(true));  // TRUE XOR (FALSE AND FALSE)
}

TEST(CesqlParser, LikeAndInBindTighterThanComparisonAndArithmetic) {
  EXPECT_EQ(valueOf("'ab' LIKE 'a%' = TRUE"), Value(true));
  EXPECT_EQ(valueOf("1 + 2 IN (2)"), Value(std::int32_t{2}));  // 1 + (2 IN (2)), TRUE cast to 1
}

TEST(CesqlParser, KeywordsAndAttributeNamesIgnoreCaseStringLiteralsDoNot) {
  sdk::CloudEvent event;
  event.subject = "Mixed";
  auto parsed = Expression::parse("Subject = 'Mixed' and SUBJECT not like 'mixed'");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(parsed.value().evaluate(event).value, Value(true));
}

TEST(CesqlParser, StringLiteralsTakeEscapedAndDoubledQuotes) {
  EXPECT_EQ(valueOf(R"('it\'s' = 'it''s')"), Value(true));
  EXPECT_EQ(valueOf(R"("say \"hi\"")"), Value(std::string(R"(say "hi")")));
  EXPECT_EQ(valueOf(R"('a\_b')"), Value(std::string(R"(a\_b)")));  // kept for LIKE
}

}  // namespace
}  // namespace ccm::core::cesql
