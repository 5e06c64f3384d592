#include "ccm/sdk/trace_context.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ccm::sdk {
namespace {

// The examples of W3C Trace Context 3.2.2.
constexpr const char* kSampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr const char* kNotSampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

std::string messageOf(std::string_view traceparent) {
  auto parsed = parseTraceparent(traceparent);
  EXPECT_FALSE(parsed.ok()) << traceparent;
  return parsed.ok() ? "" : parsed.error().message;
}

TEST(Traceparent, ReadsTheFieldsOfVersion00) {
  auto parsed = parseTraceparent(kSampled);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed.value().trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed.value().parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(parsed.value().flags, 0x01);
  EXPECT_TRUE(parsed.value().sampled());
  EXPECT_EQ(parsed.value().traceparent(), kSampled);
  EXPECT_FALSE(parseTraceparent(kNotSampled).value().sampled());
}

TEST(Traceparent, KeepsFlagsItDoesNotKnow) {
  auto parsed = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().flags, 0xff);
  EXPECT_EQ(parsed.value().traceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff");
}

TEST(Traceparent, IgnoresSpacesAndTabsAroundTheValue) {
  auto parsed = parseTraceparent(std::string(" \t") + kSampled + " ");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().traceparent(), kSampled);
}

TEST(Traceparent, RefusesUppercaseHex) {
  EXPECT_NE(messageOf("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01").find("lowercase hex"),
            std::string::npos);
  EXPECT_FALSE(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01").ok());
  EXPECT_FALSE(parseTraceparent("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").ok());
}

TEST(Traceparent, RefusesAllZeroIds) {
  EXPECT_NE(messageOf("00-00000000000000000000000000000000-00f067aa0ba902b7-01").find("all-zero trace-id"),
            std::string::npos);
  EXPECT_NE(messageOf("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01").find("all-zero parent-id"),
            std::string::npos);
}

TEST(Traceparent, RefusesVersionFf) {
  EXPECT_NE(messageOf("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").find("version ff"), std::string::npos);
}

TEST(Traceparent, Version00MustBeExactly55Characters) {
  EXPECT_NE(messageOf(std::string(kSampled) + "-01").find("exactly 55"), std::string::npos);
  EXPECT_NE(messageOf(std::string(kSampled).substr(0, 54)).find("shorter than the 55"), std::string::npos);
  EXPECT_FALSE(parseTraceparent("").ok());
}

TEST(Traceparent, ReadsAHigherVersionByItsFirst55Characters) {
  auto parsed = parseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed.value().traceparent(), kSampled);  // sent on as version 00, the format it was read as
  EXPECT_TRUE(parseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").ok());
}

TEST(Traceparent, RefusesAHigherVersionGoingOnWithoutADash) {
  EXPECT_NE(messageOf("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x").find("without a '-'"),
            std::string::npos);
}

TEST(Traceparent, RefusesWrongSeparatorsAndNonHex) {
  EXPECT_FALSE(parseTraceparent("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").ok());
  EXPECT_FALSE(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01").ok());
  EXPECT_FALSE(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01").ok());
  EXPECT_FALSE(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01").ok());
  EXPECT_FALSE(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g").ok());
}

TEST(Traceparent, RefusesAnOverlongValueBeforeReadingIt) {
  const std::string longer = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-" + std::string(300, 'a');
  auto parsed = parseTraceparent(longer);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().where, "traceparent");
  EXPECT_NE(parsed.error().message.find("longer than 256"), std::string::npos);
}

TEST(Tracestate, KeepsValidMembersInOrderWithoutTheWhitespaceAroundThem) {
  auto parsed = parseTracestate(" rojo=00f067aa0ba902b7 ,\t congo=t61rcWkgMzE,, tenant1@vendor=a b");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed.value(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,tenant1@vendor=a b");
}

TEST(Tracestate, RefusesMembersThatAreNotKeyEqualsValue) {
  EXPECT_FALSE(parseTracestate("rojo").ok());
  EXPECT_FALSE(parseTracestate("Rojo=1").ok());           // keys are lowercase
  EXPECT_FALSE(parseTracestate("1rojo=1").ok());          // a simple key starts with a letter
  EXPECT_FALSE(parseTracestate("rojo=").ok());            // a value is not empty
  EXPECT_FALSE(parseTracestate("rojo=a=b").ok());         // '=' is not a value character
  EXPECT_FALSE(parseTracestate("rojo=a\x01").ok());       // nor is a control character
  EXPECT_FALSE(parseTracestate("t@1vendor=1").ok());      // a system id starts with a letter
  EXPECT_TRUE(parseTracestate("1tenant@vendor=1").ok());  // a tenant id may start with a digit
  auto parsed = parseTracestate("rojo=1,=2");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().where, "tracestate");
  EXPECT_NE(parsed.error().message.find("\"=2\""), std::string::npos);
}

TEST(Tracestate, RefusesMoreThan32Members) {
  std::string list;
  for (int i = 0; i < 32; ++i) list += "k" + std::to_string(i) + "=v,";
  EXPECT_TRUE(parseTracestate(list).ok());
  auto parsed = parseTracestate(list + "k32=v");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("more than 32 members"), std::string::npos);
}

TEST(Tracestate, ShortensAListOver512CharactersLongMembersFirstThenFromTheEnd) {
  const std::string long_member = "long=" + std::string(200, 'x');
  std::string list = "a=1," + long_member;
  for (int i = 0; i < 10; ++i) list += ",k" + std::to_string(i) + "=" + std::string(60, 'v');
  // 3 + 205 + 10 * 63 characters and 11 commas: too long; without the long
  // member 3 + 10 * 64 = 643 still is, so the last members go until it fits
  // (3 + 7 * 64 = 451).
  auto parsed = parseTracestate(list);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().find("long="), std::string::npos);
  EXPECT_LE(parsed.value().size(), 512u);
  EXPECT_TRUE(parsed.value().starts_with("a=1,k0="));
  EXPECT_NE(parsed.value().find("k6="), std::string::npos);
  EXPECT_EQ(parsed.value().find("k7="), std::string::npos);
}

TEST(Tracestate, RefusesAnOverlongInputBeforeReadingIt) {
  auto parsed = parseTracestate("a=" + std::string(5000, 'v'));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("longer than 4096"), std::string::npos);
}

TEST(TraceHeaders, ReadsTraceparentAndTracestateWhateverTheirCase) {
  auto reading = readTraceHeaders({{"TraceParent", kSampled}, {"TRACESTATE", "rojo=1"}, {"tracestate", "congo=2"}});
  ASSERT_TRUE(reading.context);
  EXPECT_FALSE(reading.problem);
  EXPECT_EQ(reading.context->traceparent(), kSampled);
  EXPECT_EQ(reading.context->tracestate, "rojo=1,congo=2");  // several headers are one list
}

TEST(TraceHeaders, NoTraceparentMeansNoContextAndTracestateAloneIsDropped) {
  auto reading = readTraceHeaders({{"tracestate", "rojo=1"}});
  EXPECT_FALSE(reading.context);
  EXPECT_FALSE(reading.problem);
}

TEST(TraceHeaders, AnInvalidTraceparentGivesNoContextAndSaysWhy) {
  auto reading = readTraceHeaders({{"traceparent", "00-xyz"}, {"tracestate", "rojo=1"}});
  EXPECT_FALSE(reading.context);
  ASSERT_TRUE(reading.problem);
  EXPECT_EQ(reading.problem->where, "traceparent");
}

TEST(TraceHeaders, TwoTraceparentHeadersAreNotValid) {
  auto reading = readTraceHeaders({{"traceparent", kSampled}, {"traceparent", kNotSampled}});
  EXPECT_FALSE(reading.context);
  ASSERT_TRUE(reading.problem);
  EXPECT_NE(reading.problem->message.find("second traceparent"), std::string::npos);
}

TEST(TraceHeaders, AnInvalidTracestateIsDroppedAndTheTraceparentKept) {
  auto reading = readTraceHeaders({{"traceparent", kSampled}, {"tracestate", "not a list"}});
  ASSERT_TRUE(reading.context);
  EXPECT_EQ(reading.context->tracestate, "");
  ASSERT_TRUE(reading.problem);
  EXPECT_EQ(reading.problem->where, "tracestate");
}

TEST(TraceExtensions, ReadsTheDistributedTracingExtension) {
  CloudEvent event;
  event.extensions["traceparent"] = std::string(kSampled);
  event.extensions["tracestate"] = std::string("rojo=1");
  auto reading = readTraceExtensions(event);
  ASSERT_TRUE(reading.context);
  EXPECT_EQ(reading.context->tracestate, "rojo=1");
}

TEST(TraceExtensions, ATraceparentThatIsNotAStringIsNotValid) {
  CloudEvent event;
  event.extensions["traceparent"] = std::int32_t{1};
  auto reading = readTraceExtensions(event);
  EXPECT_FALSE(reading.context);
  EXPECT_TRUE(reading.problem);
}

TEST(TraceExtensions, SetWritesBothAttributesAndRemovesAStaleTracestate) {
  CloudEvent event;
  auto context = parseTraceparent(kSampled).value();
  context.tracestate = "rojo=1";
  setTraceExtensions(event, context);
  EXPECT_EQ(std::get<std::string>(event.extensions.at("traceparent")), kSampled);
  EXPECT_EQ(std::get<std::string>(event.extensions.at("tracestate")), "rojo=1");
  context.tracestate.clear();
  setTraceExtensions(event, context);
  EXPECT_EQ(event.extensions.count("tracestate"), 0u);
  EXPECT_EQ(readTraceExtensions(event).context, context);
}

TEST(TraceHeaders, WritesTraceparentAndTracestateOnlyWhenThereIsOne) {
  auto context = parseTraceparent(kSampled).value();
  EXPECT_EQ(traceHeaders(context), (Headers{{"traceparent", kSampled}}));
  context.tracestate = "rojo=1";
  EXPECT_EQ(traceHeaders(context), (Headers{{"traceparent", kSampled}, {"tracestate", "rojo=1"}}));
}

TEST(SharedTraceContext, IsTheContextOnlyWhenEveryOneHasTheSame) {
  const auto a = parseTraceparent(kSampled).value();
  const auto b = parseTraceparent(kNotSampled).value();
  const std::vector<std::optional<TraceContext>> same{a, a};
  const std::vector<std::optional<TraceContext>> differ{a, b};
  const std::vector<std::optional<TraceContext>> one_missing{a, std::nullopt};
  EXPECT_EQ(sharedTraceContext(same), a);
  EXPECT_FALSE(sharedTraceContext(differ));
  EXPECT_FALSE(sharedTraceContext(one_missing));
  EXPECT_FALSE(sharedTraceContext({}));
}

}  // namespace
}  // namespace ccm::sdk
