#pragma once

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "ccm/sdk/plugin.hpp"

// Checks every sink plugin's tests make of its packaging: the schema, the
// example config shipped for it, and the built library. Header-only; tests
// define CCM_SOURCE_DIR and CCM_BINARY_DIR (tests/CMakeLists.txt).
namespace ccm::testing {

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The schema.json of sinks/<folder>, as the plugin embeds it.
inline std::string sinkSchema(const std::string& folder) {
  return readFile(std::string(CCM_SOURCE_DIR) + "/sinks/" + folder + "/schema.json");
}

// Whether `config` satisfies `schema` as the gateway validates a plugin's config.
inline bool schemaAccepts(const std::string& schema, const std::string& config) {
  rapidjson::Document schema_json;
  schema_json.Parse(schema);
  EXPECT_FALSE(schema_json.HasParseError());
  const rapidjson::SchemaDocument schema_document(schema_json);
  rapidjson::Document document;
  document.Parse(config);
  EXPECT_FALSE(document.HasParseError()) << config;
  rapidjson::SchemaValidator validator(schema_document);
  return document.Accept(validator);
}

// config/examples/<example>.json is config/gateway.json with another "sinks"
// section, whose every entry uses `plugin` with a config `schema` accepts.
inline void expectExampleDiffersOnlyInSinks(const std::string& example, const std::string& plugin,
                                            const std::string& schema) {
  rapidjson::Document base, variant;
  base.Parse(readFile(std::string(CCM_SOURCE_DIR) + "/config/gateway.json"));
  variant.Parse(readFile(std::string(CCM_SOURCE_DIR) + "/config/examples/" + example + ".json"));
  ASSERT_FALSE(base.HasParseError());
  ASSERT_FALSE(variant.HasParseError()) << example;
  ASSERT_TRUE(variant.HasMember("sinks") && variant["sinks"].IsArray() && !variant["sinks"].Empty());
  for (const auto& sink : variant["sinks"].GetArray()) {
    EXPECT_EQ(std::string(sink["plugin"].GetString()), plugin);
    rapidjson::StringBuffer config;
    rapidjson::Writer<rapidjson::StringBuffer> writer(config);
    sink["config"].Accept(writer);
    EXPECT_TRUE(schemaAccepts(schema, config.GetString())) << config.GetString();
  }
  base.RemoveMember("sinks");
  variant.RemoveMember("sinks");
  EXPECT_TRUE(base == variant) << example << ".json differs from gateway.json outside \"sinks\"";
}

// A built plugin library, opened for one test and closed after it.
class LoadedPlugin {
public:
  // `name` as in ccm_add_plugin, e.g. "sink-eventgrid".
  explicit LoadedPlugin(const std::string& name)
      : handle_(::dlopen((std::string(CCM_BINARY_DIR) + "/plugins/libccm-" + name + ".so").c_str(),
                         RTLD_NOW | RTLD_LOCAL)) {
    if (handle_ == nullptr) throw std::runtime_error(::dlerror());
  }
  ~LoadedPlugin() { ::dlclose(handle_); }
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  std::uint32_t abiVersion() const { return symbol<std::uint32_t (*)()>("ccm_plugin_abi_version")(); }
  const sdk::PluginDescriptor& descriptor() const {
    return *symbol<const sdk::PluginDescriptor* (*)()>("ccm_plugin_descriptor")();
  }

private:
  template <class Function>
  Function symbol(const char* name) const {
    void* address = ::dlsym(handle_, name);
    if (address == nullptr) throw std::runtime_error(std::string("missing symbol ") + name);
    return reinterpret_cast<Function>(address);
  }

  void* handle_;
};

}  // namespace ccm::testing
