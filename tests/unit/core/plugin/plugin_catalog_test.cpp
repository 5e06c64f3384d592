#include "plugin/plugin_catalog.hpp"

#include <dlfcn.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/plugin_selection.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "config/config_loader.hpp"
#include "plugin/plugin_instance.hpp"

namespace ccm::core {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kRoot = CCM_FIXTURE_PLUGIN_ROOT;

PluginCatalog scanned(std::vector<fs::path> dirs) {
  PluginCatalog catalog(std::move(dirs));
  catalog.scan();
  return catalog;
}

bool isLoaded(const fs::path& file) {
  void* handle = dlopen(file.c_str(), RTLD_NOLOAD | RTLD_LAZY);
  if (handle == nullptr) return false;
  dlclose(handle);
  return true;
}

TEST(PluginCatalog, LoadsAWellFormedPluginWithItsDescriptor) {
  auto catalog = scanned({kRoot / "good"});
  EXPECT_TRUE(catalog.refusals().empty());
  const auto* plugin = catalog.find("fixture-good");
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->library->descriptor().kind, sdk::PluginKind::Sink);
  EXPECT_STREQ(plugin->library->descriptor().version, "9.8.7");
  EXPECT_EQ(plugin->library->file().filename(), "libccm-fixture-good.so");
}

TEST(PluginCatalog, RefusesLibraryWithoutDescriptorNamingTheFile) {
  auto catalog = scanned({kRoot / "no-descriptor"});
  ASSERT_EQ(catalog.refusals().size(), 1u);
  EXPECT_THAT(catalog.refusals()[0].message, HasSubstr("libccm-fixture-no-descriptor.so"));
  EXPECT_THAT(catalog.refusals()[0].message, HasSubstr("has no ccm_plugin_abi_version symbol"));
  EXPECT_TRUE(catalog.plugins().empty());
}

TEST(PluginCatalog, RefusesOtherAbiVersionBeforeReadingTheDescriptor) {
  auto catalog = scanned({kRoot / "wrong-abi"});
  ASSERT_EQ(catalog.refusals().size(), 1u);
  const auto& message = catalog.refusals()[0].message;
  EXPECT_THAT(message, HasSubstr("libccm-fixture-wrong-abi.so"));
  EXPECT_THAT(message, HasSubstr("was built against plugin SDK ABI version " + std::to_string(sdk::kAbiVersion + 1) +
                                 ", this gateway needs " + std::to_string(sdk::kAbiVersion)));
}

TEST(PluginCatalog, RefusesDuplicatePluginNameNamingBothFiles) {
  auto catalog = scanned({kRoot / "duplicate"});
  ASSERT_EQ(catalog.refusals().size(), 1u);
  EXPECT_THAT(catalog.refusals()[0].message,
              HasSubstr("libccm-fixture-dup-b.so: plugin name \"fixture-good\" is already provided by "));
  EXPECT_THAT(catalog.refusals()[0].message, HasSubstr("libccm-fixture-dup-a.so"));
  EXPECT_EQ(catalog.plugins().size(), 1u);
}

TEST(PluginCatalog, RefusesLibraryOutsideThePluginDirectories) {
  PluginCatalog catalog({kRoot / "good"});
  auto loaded = catalog.load(kRoot / "outside" / "libccm-fixture-outside.so");
  ASSERT_FALSE(loaded);
  EXPECT_THAT(loaded.error().message, HasSubstr("outside the configured plugin directories"));
}

TEST(PluginCatalog, RefusesSymlinkThatLeadsOutsideThePluginDirectories) {
  const fs::path dir = fs::temp_directory_path() / ("ccm-plugins-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::create_symlink(kRoot / "outside" / "libccm-fixture-outside.so", dir / "libsneaky.so");
  auto catalog = scanned({dir});
  fs::remove_all(dir);
  ASSERT_EQ(catalog.refusals().size(), 1u);
  EXPECT_THAT(catalog.refusals()[0].message, HasSubstr("libsneaky.so: resolves to "));
  EXPECT_THAT(catalog.refusals()[0].message, HasSubstr("outside the configured plugin directories"));
}

TEST(PluginCatalog, MissingDirectoryIsReported) {
  auto catalog = scanned({"/nonexistent/plugins"});
  ASSERT_EQ(catalog.refusals().size(), 1u);
  EXPECT_EQ(catalog.refusals()[0].message, "plugin directory /nonexistent/plugins does not exist or is not a directory");
}

TEST(PluginInstance, FactoryExceptionBecomesAnErrorNamingThePlugin) {
  auto catalog = scanned({kRoot / "throwing"});
  sdk::testing::FakeHost host;
  auto sink = instantiate<sdk::Sink>(catalog.find("fixture-throwing")->library, {"broken", "{}", "urn:x", "", host});
  ASSERT_FALSE(sink);
  EXPECT_THAT(sink.error().message,
              HasSubstr("plugin \"fixture-throwing\" ("));
  EXPECT_THAT(sink.error().message, HasSubstr("refused instance \"broken\": cannot open the moon"));
}

TEST(PluginInstance, KindThatDoesNotFitTheSlotIsRefused) {
  auto catalog = scanned({kRoot / "mixed"});
  sdk::testing::FakeHost host;
  auto sink = instantiate<sdk::Sink>(catalog.find("fixture-source")->library, {"s", "{}", "urn:x", "", host});
  ASSERT_FALSE(sink);
  EXPECT_THAT(sink.error().message, HasSubstr("is a source plugin and cannot serve as sink \"s\""));
}

TEST(PluginLifetime, LibraryStaysLoadedUntilTheLastObjectItMadeIsGone) {
  sdk::testing::FakeHost host;
  std::shared_ptr<sdk::Sink> sink;
  fs::path file;
  {
    auto catalog = scanned({kRoot / "good"});
    const auto* plugin = catalog.find("fixture-good");
    file = plugin->library->file();
    sink = instantiate<sdk::Sink>(plugin->library, {"out", "{}", "urn:x", "", host}).value();
  }
  // The catalog is gone; the sink's code must still be mapped and callable.
  ASSERT_TRUE(isLoaded(file));
  sdk::CloudEvent event;
  event.id = "1";
  event.source = "urn:t";
  event.type = "t";
  EXPECT_EQ(sink->deliver({event, event}).size(), 2u);
  sink.reset();
  EXPECT_FALSE(isLoaded(file));
}

GatewayConfig configSelecting(const std::string& plugin, const std::string& plugin_config) {
  auto config = loadConfigText(R"({"sinks": [{"name": "out", "plugin": ")" + plugin + R"(", "config": )" +
                                   plugin_config + "}]}",
                               "gw.json", [](const std::string&) { return std::nullopt; });
  return config.value();
}

TEST(PluginSelection, SourcePluginInSinkSlotIsRefused) {
  auto catalog = scanned({kRoot / "mixed"});
  auto selected = selectPlugins(configSelecting("fixture-source", "{}"), catalog);
  ASSERT_FALSE(selected);
  EXPECT_EQ(selected.error().message,
            "gw.json:1: /sinks/0/plugin: plugin \"fixture-source\" is a source plugin, but this slot needs a sink "
            "plugin");
}

TEST(PluginSelection, UnknownPluginListsTheAvailableOnes) {
  auto catalog = scanned({kRoot / "mixed"});
  auto selected = selectPlugins(configSelecting("nope", "{}"), catalog);
  ASSERT_FALSE(selected);
  EXPECT_THAT(selected.error().message,
              HasSubstr("/sinks/0/plugin: no plugin named \"nope\" in the plugin directories (available sink "
                        "plugins: \"fixture-good\")"));
}

TEST(PluginSelection, PluginConfigIsValidatedAgainstThePluginSchema) {
  auto catalog = scanned({kRoot / "good"});
  auto selected = selectPlugins(configSelecting("fixture-good", R"({"level": "high"})"), catalog);
  ASSERT_FALSE(selected);
  EXPECT_EQ(selected.error().message,
            "gw.json:1: /sinks/0/config/level: expected integer, got string (schema of plugin \"fixture-good\")");
}

TEST(PluginSelection, UnknownPluginConfigKeyIsAnError) {
  auto catalog = scanned({kRoot / "good"});
  auto selected = selectPlugins(configSelecting("fixture-good", R"({"levle": 1})"), catalog);
  ASSERT_FALSE(selected);
  EXPECT_THAT(selected.error().message, HasSubstr("/sinks/0/config/levle: unknown property \"levle\""));
}

TEST(PluginSelection, ValidSelectionIsAccepted) {
  auto catalog = scanned({kRoot / "good"});
  const auto config = configSelecting("fixture-good", R"({"level": 3})");
  auto selected = selectPlugins(config, catalog);
  ASSERT_TRUE(selected) << selected.error().message;
  ASSERT_EQ(selected.value().size(), 1u);
  EXPECT_EQ(selected.value()[0].instance->name, "out");
}

}  // namespace
}  // namespace ccm::core
