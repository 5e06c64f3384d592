// Integers in the config are refused beyond what their setting can hold,
// naming the JSON pointer, instead of being read wrongly (found by fuzzing:
// issue #17).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "config/config_loader.hpp"

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

sdk::Result<GatewayConfig> load(const std::string& text) {
  return loadConfigText(text, "gateway.json", [](const std::string&) -> std::optional<std::string> { return {}; });
}

TEST(ConfigIntegerLimits, ValuesBeyondTheSettingsRangeAreRefusedWithTheirPointer) {
  const struct {
    const char* json;
    const char* pointer;
  } cases[] = {
      // Read as -1 before: deduplication silently off.
      {R"({"sinks": [], "ingress": {"dedup_ttl_seconds": 18446744073709551615}})", "/ingress/dedup_ttl_seconds"},
      // Read as INT64_MIN before: overflow when added to a time.
      {R"({"sinks": [], "engine": {"session_ttl_seconds": 9223372036854775808}})", "/engine/session_ttl_seconds"},
      // Above INT_MAX: silently replaced by the default before.
      {R"({"sinks": [], "server": {"max_queued": 2147483648}})", "/server/max_queued"},
      {R"({"sinks": [], "server": {"max_connections": 4294967296}})", "/server/max_connections"},
  };
  for (const auto& c : cases) {
    const auto loaded = load(c.json);
    ASSERT_FALSE(loaded) << c.json;
    EXPECT_THAT(loaded.error().message, HasSubstr(c.pointer)) << c.json;
  }
}

// Every integer setting of the gateway's schema has a maximum, so no new one
// can come back with the same fault.
TEST(ConfigIntegerLimits, EveryIntegerInTheGatewaySchemaHasAMaximumThatFitsInt64) {
  std::ifstream in(std::filesystem::path(CCM_SOURCE_DIR) / "config/schema/gateway.schema.json");
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document schema;
  schema.Parse(text.str().c_str());
  ASSERT_FALSE(schema.HasParseError());
  int integers = 0;
  std::function<void(const rapidjson::Value&, const std::string&)> walk = [&](const rapidjson::Value& node,
                                                                                const std::string& path) {
    if (node.IsObject()) {
      if (auto type = node.FindMember("type"); type != node.MemberEnd() && type->value == "integer") {
        ++integers;
        ASSERT_TRUE(node.HasMember("maximum")) << path << " has no maximum";
        EXPECT_TRUE(node["maximum"].IsInt64()) << path;
      }
      for (const auto& member : node.GetObject()) walk(member.value, path + "/" + member.name.GetString());
    } else if (node.IsArray()) {
      for (const auto& item : node.GetArray()) walk(item, path + "[]");
    }
  };
  walk(schema, "");
  EXPECT_GT(integers, 20);
}

}  // namespace
}  // namespace ccm::core
