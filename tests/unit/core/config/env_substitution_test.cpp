#include "config/env_substitution.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

const EnvLookup kEnv = [](const std::string& name) -> std::optional<std::string> {
  if (name == "HOME_DIR") return "/home/lab";
  if (name == "EMPTY") return "";
  return std::nullopt;
};

TEST(EnvSubstitution, ReplacesSetVariable) {
  EXPECT_EQ(substituteVariables("${HOME_DIR}/x", kEnv).value(), "/home/lab/x");
}

TEST(EnvSubstitution, UsesDefaultWhenUnsetOrEmpty) {
  EXPECT_EQ(substituteVariables("${NOPE:-a:b}", kEnv).value(), "a:b");
  EXPECT_EQ(substituteVariables("${EMPTY:-fallback}", kEnv).value(), "fallback");
  EXPECT_EQ(substituteVariables("${NOPE:-}", kEnv).value(), "");
}

TEST(EnvSubstitution, DoubleDollarIsALiteralDollar) {
  EXPECT_EQ(substituteVariables("cost $$5 and $${HOME_DIR}", kEnv).value(), "cost $5 and ${HOME_DIR}");
}

TEST(EnvSubstitution, LoneDollarIsKept) { EXPECT_EQ(substituteVariables("a$b$", kEnv).value(), "a$b$"); }

TEST(EnvSubstitution, UnsetVariableIsAnError) {
  auto result = substituteVariables("${NOPE}", kEnv);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("environment variable NOPE is not set"));
}

TEST(EnvSubstitution, UnterminatedReferenceIsAnError) {
  auto result = substituteVariables("x${HOME_DIR", kEnv);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("unterminated variable reference \"${HOME_DIR\""));
}

TEST(EnvSubstitution, InvalidNameIsAnError) {
  auto result = substituteVariables("${1ABC}", kEnv);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("invalid variable name"));
}

}  // namespace
}  // namespace ccm::core
