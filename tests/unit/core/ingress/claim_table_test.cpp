#include "ingress/claim_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

const std::string kObject = R"({"type": "object"})";

TEST(IngressRouting, OverlapIsDetectedForEveryKindOfPair) {
  EXPECT_TRUE(globsOverlap("lds.session.started", "lds.session.started"));
  EXPECT_FALSE(globsOverlap("lds.session.started", "lds.session.ended"));
  EXPECT_TRUE(globsOverlap("lds.*", "lds.session.ended"));
  EXPECT_TRUE(globsOverlap("lds.session.ended", "lds.*"));
  EXPECT_TRUE(globsOverlap("lds.*", "*.ended"));
  EXPECT_FALSE(globsOverlap("lds.*", "grading.*"));
  EXPECT_FALSE(globsOverlap("*.started", "*.ended"));
  EXPECT_TRUE(globsOverlap("*", "anything"));
  EXPECT_TRUE(globsOverlap("a*c", "ab*"));
  EXPECT_FALSE(globsOverlap("a*c", "b*"));
}

TEST(IngressRouting, FindsTheClaimOfExactAndGlobTypes) {
  auto table = ClaimTable::build({{"lds", {{"lds.session.started", kObject}, {"lds.session.ended", kObject}}},
                                  {"grading", {{"grading.*", kObject}}}});
  ASSERT_TRUE(table) << table.error().message;
  const auto* exact = table.value().find("lds.session.ended");
  ASSERT_NE(exact, nullptr);
  EXPECT_EQ(exact->source_name, "lds");
  EXPECT_EQ(exact->source_index, 0u);
  const auto* glob = table.value().find("grading.session.failed");
  ASSERT_NE(glob, nullptr);
  EXPECT_EQ(glob->source_name, "grading");
  EXPECT_EQ(glob->source_index, 1u);
  EXPECT_EQ(table.value().find("billing.usage"), nullptr);
}

TEST(IngressRouting, OverlappingClaimsOfTwoSourcesAreAStartUpError) {
  auto table = ClaimTable::build({{"lds", {{"lds.session.started", kObject}}}, {"catch-all", {{"lds.*", kObject}}}});
  ASSERT_FALSE(table);
  EXPECT_THAT(table.error().message, HasSubstr("source \"catch-all\" claim \"lds.*\" overlaps source \"lds\" claim "
                                               "\"lds.session.started\""));
}

TEST(IngressRouting, OverlappingClaimsWithinOneSourceAreRefusedToo) {
  auto table = ClaimTable::build({{"lds", {{"lds.*", kObject}, {"lds.session.started", kObject}}}});
  ASSERT_FALSE(table);
  EXPECT_THAT(table.error().message, HasSubstr("overlaps source \"lds\" claim \"lds.*\""));
}

TEST(IngressRouting, TwoInstancesOfOnePluginCannotBothClaimItsTypes) {
  auto table = ClaimTable::build({{"lds-a", {{"lds.session.started", kObject}}},
                                  {"lds-b", {{"lds.session.started", kObject}}}});
  ASSERT_FALSE(table);
  EXPECT_THAT(table.error().message, HasSubstr("source \"lds-b\""));
}

TEST(IngressRouting, ADataSchemaThatDoesNotCompileNamesTheSourceAndType) {
  auto table = ClaimTable::build({{"lds", {{"lds.session.started", "{not json"}}}});
  ASSERT_FALSE(table);
  EXPECT_THAT(table.error().message, HasSubstr("source \"lds\" claim \"lds.session.started\""));
  EXPECT_THAT(table.error().message, HasSubstr("not valid JSON"));
}

TEST(IngressRouting, AnEmptyClaimedTypeIsRefused) {
  auto table = ClaimTable::build({{"odd", {{"", kObject}}}});
  ASSERT_FALSE(table);
  EXPECT_THAT(table.error().message, HasSubstr("source \"odd\" claims an empty event type"));
}

}  // namespace
}  // namespace ccm::core
