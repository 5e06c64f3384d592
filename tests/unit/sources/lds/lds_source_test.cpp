#include "lds_source.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../source_test_support.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "ccm/sdk/testing/plugin_module.hpp"

namespace ccm::sources::lds {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using testing::publishedSchema;
using testing::schemaAccepts;

sdk::CloudEvent event(const std::string& type, const std::string& data) {
  return testing::inboundEvent("urn:lds", type, data);
}

TEST(LdsSource, ClaimsBothSessionEventsWithTheirPublishedSchemas) {
  const auto claims = ldsClaims();
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(claims[0].type, "lds.session.started");
  EXPECT_EQ(claims[1].type, "lds.session.ended");
  for (const auto& claim : claims) EXPECT_EQ(claim.data_schema, publishedSchema(claim.type)) << claim.type;
}

TEST(LdsSource, PublishedSchemasAcceptTheDocumentedPayloadAndRefuseAMissingSession) {
  for (const auto& claim : ldsClaims()) {
    EXPECT_TRUE(schemaAccepts(claim.data_schema, R"({"lablet_session_id": "s-1", "user_session_id": "u-9",
      "timestamp": "2026-11-23T10:00:00Z", "added_later": true})")) << claim.type;
    EXPECT_FALSE(schemaAccepts(claim.data_schema, R"({"user_session_id": "u-9"})")) << claim.type;
    EXPECT_FALSE(schemaAccepts(claim.data_schema, R"({"lablet_session_id": 7})")) << claim.type;
    EXPECT_FALSE(schemaAccepts(claim.data_schema, R"({"lablet_session_id": "s", "timestamp": "yesterday"})"))
        << claim.type;
  }
}

TEST(LdsSource, StartedMarksTheSessionRunning) {
  auto commands = translateLdsEvent(event("lds.session.started", R"({"lablet_session_id": "s-1"})"));
  ASSERT_TRUE(commands) << commands.error().message;
  ASSERT_EQ(commands.value().size(), 1u);
  EXPECT_EQ(commands.value()[0].name, "session.mark_running");
  EXPECT_EQ(commands.value()[0].arguments, R"({"session_id":"s-1"})");
}

TEST(LdsSource, EndedStartsCollection) {
  auto commands = translateLdsEvent(event("lds.session.ended", R"({"lablet_session_id": "s-1", "reason": "done"})"));
  ASSERT_TRUE(commands) << commands.error().message;
  ASSERT_EQ(commands.value().size(), 1u);
  EXPECT_EQ(commands.value()[0].name, "session.collect");
  EXPECT_EQ(commands.value()[0].arguments, R"({"session_id":"s-1"})");
}

TEST(LdsSource, SessionIdIsEscapedInTheArguments) {
  auto commands = translateLdsEvent(event("lds.session.started", R"({"lablet_session_id": "a\"b"})"));
  ASSERT_TRUE(commands);
  EXPECT_EQ(commands.value()[0].arguments, R"({"session_id":"a\"b"})");
}

TEST(LdsSource, MissingSessionIdIsAnErrorNamingItsPointer) {
  auto commands = translateLdsEvent(event("lds.session.ended", R"({"user_session_id": "u"})"));
  ASSERT_FALSE(commands);
  EXPECT_EQ(commands.error().where, "/data/lablet_session_id");
  EXPECT_THAT(commands.error().message, HasSubstr("expected a non-empty string"));
}

TEST(LdsSource, DataThatIsNotAJsonObjectIsAnError) {
  auto text = event("lds.session.started", "");
  text.data = sdk::Data::text("s-1");
  auto commands = translateLdsEvent(text);
  ASSERT_FALSE(commands);
  EXPECT_EQ(commands.error().where, "/data");
  EXPECT_FALSE(translateLdsEvent(event("lds.session.started", "[1]")));
}

TEST(LdsSource, AnotherTypeIsRefused) {
  auto commands = translateLdsEvent(event("lds.session.paused", R"({"lablet_session_id": "s-1"})"));
  ASSERT_FALSE(commands);
  EXPECT_EQ(commands.error().where, "type");
}

TEST(LdsSourceModule, ExportsASourceDescriptorWhoseFactoryWorks) {
  sdk::testing::PluginModule module(std::string(CCM_BINARY_DIR) + "/plugins/libccm-source-lds.so");
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.abiVersion(), sdk::kAbiVersion);
  ASSERT_NE(module.descriptor(), nullptr);
  const sdk::PluginDescriptor& descriptor = *module.descriptor();
  EXPECT_STREQ(descriptor.name, "lds");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::Source);
  ASSERT_NE(descriptor.create_source, nullptr);
  EXPECT_EQ(descriptor.create_sink, nullptr);
  EXPECT_TRUE(schemaAccepts(descriptor.config_schema, "{}"));
  EXPECT_FALSE(schemaAccepts(descriptor.config_schema, R"({"token": "x"})"));
  {
    sdk::testing::FakeHost host;
    auto created = descriptor.create_source(sdk::PluginContext{"lds", "{}", "", "", host});
    ASSERT_NE(created.object, nullptr) << created.error;
    EXPECT_EQ(created.object->claims().size(), 2u);
    auto commands = created.object->translate(event("lds.session.started", R"({"lablet_session_id": "s-2"})"));
    ASSERT_TRUE(commands);
    EXPECT_EQ(commands.value()[0].arguments, R"({"session_id":"s-2"})");
  }
}

}  // namespace
}  // namespace ccm::sources::lds
