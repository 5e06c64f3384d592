#include "http_sink_config.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/plugin_module.hpp"
#include "fakes/cloudevents_receiver.hpp"
#include "http_sink_test_support.hpp"

namespace ccm::sinks::http {
namespace {

using testing::ScopedEnv;

class HttpSinkSettings : public testing::HttpSinkFixture {};

TEST_F(HttpSinkSettings, MissingUrlWithoutADefaultSinkUrlNamesBoth) {
  EXPECT_EQ(constructError("{}"),
            "http sink config \"url\": is required when CLOUDEVENTS_SINK_URL (cloudevents.sink_url) is not set");
}

TEST_F(HttpSinkSettings, ADefaultSinkUrlThatIsNotHttpIsNamed) {
  EXPECT_EQ(constructError("{}", "ftp://example.com/"),
            "http sink config CLOUDEVENTS_SINK_URL (cloudevents.sink_url): must be an http:// or https:// URL with a "
            "host, got \"ftp://example.com/\"");
}

TEST_F(HttpSinkSettings, DefaultsMatchTheSchema) {
  const auto config =
      parseConfig(sdk::PluginContext{"events-http", R"({"url":"https://example.com/x"})", "", "", host_});
  EXPECT_EQ(config.url, "https://example.com/x");
  EXPECT_EQ(config.mode, ContentMode::Binary);
  EXPECT_TRUE(config.headers.empty());
  EXPECT_EQ(config.client.connect_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(config.client.read_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(config.client.max_idle_connections, 8u);
  EXPECT_TRUE(config.client.tls.verify_peer);
  EXPECT_TRUE(config.client.tls.ca_file.empty());
  EXPECT_EQ(config.max_batch_size, 100u);
}

struct BadConfig {
  std::string config;  // members after "url"
  std::string error;   // what construction reports
};

void PrintTo(const BadConfig& bad, std::ostream* out) {
  *out << bad.config;
}

class HttpSinkSettingErrors : public HttpSinkSettings, public ::testing::WithParamInterface<BadConfig> {};

TEST_P(HttpSinkSettingErrors, NameTheField) {
  const std::string url = R"("url":"https://127.0.0.1:1/")";
  const std::string json = "{" + url + (GetParam().config.empty() ? "" : ",") + GetParam().config + "}";
  EXPECT_EQ(constructError(json), "http sink config " + GetParam().error) << json;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, HttpSinkSettingErrors,
    ::testing::Values(
        BadConfig{R"("colour":"blue")", R"("colour": is not a known setting)"},
        BadConfig{R"("mode":"chunked")", R"("mode": must be "binary", "structured" or "batch")"},
        BadConfig{R"("headers":{"Content-Type":"text/plain"})",
                  R"("headers.Content-Type": is set by the sink and cannot be configured)"},
        BadConfig{R"("headers":{"content-length":"3"})",
                  R"("headers.content-length": is set by the sink and cannot be configured)"},
        BadConfig{R"("headers":{"Connection":"close"})",
                  R"("headers.Connection": is set by the sink and cannot be configured)"},
        BadConfig{
            R"("headers":{"CE-Id":"x"})",
            R"("headers.CE-Id": ce-* headers carry event attributes (HTTP binding 3.1.3) and are set by the sink)"},
        BadConfig{R"("headers":{"X-A":"1","x-a":"2"})", R"("headers.x-a": repeats header "X-A")"},
        BadConfig{R"("headers":{"Bad Name":"1"})",
                  R"("headers.Bad Name": is not a valid header name (RFC 9110 token))"},
        BadConfig{R"("headers":{"X-A":"1\r\nX-Injected: 1"})",
                  R"("headers.X-A": must not contain control characters such as CR or LF)"},
        BadConfig{R"("headers":{"X-A":1})", R"("headers.X-A": must be a string)"},
        BadConfig{R"("headers":{"Authorization":"Bearer x"},"auth":{"type":"bearer","token":"env:HOME"})",
                  R"("headers.Authorization": conflicts with "auth"; set only one)"},
        BadConfig{R"("auth":{"type":"digest"})", R"("auth.type": must be "bearer" or "basic")"},
        BadConfig{R"("auth":{"token":"env:HOME"})", R"("auth.type": is required ("bearer" or "basic"))"},
        BadConfig{R"("auth":{"type":"bearer"})", R"("auth.token": is required for auth type "bearer")"},
        BadConfig{R"("auth":{"type":"bearer","token":"env:HOME","username":"u"})",
                  R"("auth.username": only applies to auth type "basic")"},
        BadConfig{R"("auth":{"type":"bearer","token":"literal-token"})",
                  R"("auth.token": secret "literal-token": expected "env:NAME" or "file:/path")"},
        BadConfig{
            R"("auth":{"type":"bearer","token":"env:CCM_HTTP_SINK_TEST_UNSET"})",
            R"("auth.token": secret "env:CCM_HTTP_SINK_TEST_UNSET": environment variable CCM_HTTP_SINK_TEST_UNSET is not set)"},
        BadConfig{R"("auth":{"type":"basic","password":"env:HOME"})",
                  R"("auth.username": is required for auth type "basic")"},
        BadConfig{R"("auth":{"type":"basic","username":"u"})", R"("auth.password": is required for auth type "basic")"},
        BadConfig{R"("auth":{"type":"basic","username":"a:b","password":"env:HOME"})",
                  R"("auth.username": must be a non-empty string without ":" or control characters)"},
        BadConfig{R"("auth":{"type":"basic","username":"u","password":"env:HOME","token":"env:HOME"})",
                  R"("auth.token": only applies to auth type "bearer")"},
        BadConfig{R"("auth":{"type":"bearer","token":"env:HOME","scope":"x"})",
                  R"("auth.scope": is not a known setting)"},
        BadConfig{R"("tls":{"ca_file":"/nonexistent/ca.pem"})",
                  R"("tls.ca_file": cannot read file "/nonexistent/ca.pem")"},
        BadConfig{
            R"("tls":{"cert_file":")" CCM_SOURCE_DIR R"(/sinks/http/schema.json"})",
            R"("tls.key_file": is required when tls.cert_file or tls.key_file is set (a client certificate needs its key))"},
        BadConfig{R"("tls":{"verify":"yes"})", R"("tls.verify": must be a boolean)"},
        BadConfig{R"("tls":{"pinning":true})", R"("tls.pinning": is not a known setting)"},
        BadConfig{R"("connect_timeout_ms":0)", R"("connect_timeout_ms": must be an integer from 1 to 600000)"},
        BadConfig{R"("timeout_ms":-5)", R"("timeout_ms": must be an integer from 1 to 3600000)"},
        BadConfig{R"("timeout_ms":1.5)", R"("timeout_ms": must be an integer from 1 to 3600000)"},
        BadConfig{R"("max_connections":5000)", R"("max_connections": must be an integer from 0 to 1024)"},
        BadConfig{R"("max_batch_size":10)",
                  R"("max_batch_size": only applies to mode "batch" (binary and structured send one event a request))"},
        BadConfig{R"("mode":"batch","max_batch_size":0)", R"("max_batch_size": must be an integer from 1 to 100000)"}),
    [](const ::testing::TestParamInfo<BadConfig>& info) {
      // The field the error names, e.g. "auth_token_16".
      const std::string& error = info.param.error;
      std::string name = error.substr(1, error.find('"', 1) - 1) + "_" + std::to_string(info.index);
      std::ranges::replace_if(
          name, [](unsigned char c) { return std::isalnum(c) == 0; }, '_');
      return name;
    });

TEST_F(HttpSinkSettings, UrlMustBeHttpOrHttpsWithAHost) {
  for (const std::string url : {"ftp://example.com/", "http://", "https:///path", "example.com", "http://a b/"}) {
    EXPECT_EQ(constructError(R"({"url":")" + url + "\"}"),
              "http sink config \"url\": must be an http:// or https:// URL with a host, got \"" + url + "\"");
  }
}

TEST_F(HttpSinkSettings, TlsIsRefusedForAPlainHttpUrl) {
  EXPECT_EQ(constructError(R"({"url":"http://127.0.0.1:1/","tls":{"verify":false}})"),
            "http sink config \"tls\": only applies to an https:// URL, got \"http://127.0.0.1:1/\"");
}

TEST_F(HttpSinkSettings, SecretWithALineBreakIsRefusedWithoutShowingIt) {
  ScopedEnv token("CCM_HTTP_SINK_TEST_TOKEN", "abc\r\nX-Injected: 1");
  const std::string error = constructError(
      R"({"url":"http://127.0.0.1:1/","auth":{"type":"bearer","token":"env:CCM_HTTP_SINK_TEST_TOKEN"}})");
  EXPECT_EQ(error,
            "http sink config \"auth.token\": secret \"env:CCM_HTTP_SINK_TEST_TOKEN\" contains control "
            "characters, which a header cannot carry");
}

TEST_F(HttpSinkSettings, AuthorizationHeaderIsAllowedWithoutAuth) {
  const auto config = parseConfig(sdk::PluginContext{
      "events-http", R"({"url":"http://127.0.0.1:1/","headers":{"Authorization":"ApiKey k"}})", "", "", host_});
  EXPECT_EQ(config.headers, (sdk::HttpHeaders{{"Authorization", "ApiKey k"}}));
}

TEST_F(HttpSinkSettings, HostWithoutAnHttpClientIsAnError) {
  host_.http_client_factory = nullptr;
  EXPECT_EQ(constructError(R"({"url":"http://127.0.0.1:1/"})"), "http sink: the host provided no HTTP client");
}

// --- schema and module ----------------------------------------------------------

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string schemaText() {
  return readFile(std::string(CCM_SOURCE_DIR) + "/sinks/http/schema.json");
}

bool schemaAccepts(const std::string& config) {
  rapidjson::Document schema_json;
  schema_json.Parse(schemaText());
  EXPECT_FALSE(schema_json.HasParseError());
  const rapidjson::SchemaDocument schema(schema_json);
  rapidjson::Document document;
  document.Parse(config);
  EXPECT_FALSE(document.HasParseError()) << config;
  rapidjson::SchemaValidator validator(schema);
  return document.Accept(validator);
}

TEST(HttpSinkSchema, AcceptsDocumentedConfigsAndRejectsWhatTheSinkRejects) {
  EXPECT_TRUE(schemaAccepts(R"({})"));
  EXPECT_TRUE(schemaAccepts(R"({"url": "https://events.example.com/ingest", "mode": "structured"})"));
  EXPECT_TRUE(schemaAccepts(
      R"({"url": "https://x.example/", "mode": "batch", "max_batch_size": 50, "headers": {"X-Tenant": "a"},)"
      R"( "auth": {"type": "basic", "username": "u", "password": "env:P"},)"
      R"( "tls": {"ca_file": "/etc/ca.pem", "cert_file": "/c.pem", "key_file": "/k.pem", "verify": true},)"
      R"( "connect_timeout_ms": 1000, "timeout_ms": 2000, "max_connections": 0})"));
  EXPECT_TRUE(schemaAccepts(R"({"auth": {"type": "bearer", "token": "file:/run/secrets/token"}})"));
  EXPECT_FALSE(schemaAccepts(R"({"url": "ftp://x/"})"));
  EXPECT_FALSE(schemaAccepts(R"({"mode": "chunked"})"));
  EXPECT_FALSE(schemaAccepts(R"({"headers": {"X-A": 1}})"));
  EXPECT_FALSE(schemaAccepts(R"({"auth": {"type": "bearer"}})"));
  EXPECT_FALSE(schemaAccepts(R"({"auth": {"type": "bearer", "token": "literal"}})"));
  EXPECT_FALSE(schemaAccepts(R"({"auth": {"type": "bearer", "token": "env:T", "username": "u"}})"));
  EXPECT_FALSE(schemaAccepts(R"({"auth": {"type": "basic", "username": "u"}})"));
  EXPECT_FALSE(schemaAccepts(R"({"auth": {"type": "basic", "username": "a:b", "password": "env:P"}})"));
  EXPECT_FALSE(schemaAccepts(R"({"auth": {"type": "basic", "username": "u", "password": "env:P", "token": "env:T"}})"));
  EXPECT_FALSE(schemaAccepts(R"({"tls": {"cert_file": "/c.pem"}})"));
  EXPECT_FALSE(schemaAccepts(R"({"tls": {"verify": "yes"}})"));
  EXPECT_FALSE(schemaAccepts(R"({"timeout_ms": 0})"));
  EXPECT_FALSE(schemaAccepts(R"({"max_connections": 1.5})"));
  EXPECT_FALSE(schemaAccepts(R"({"colour": "blue"})"));
}

TEST(HttpSinkModule, ExportsTheDescriptorAndCreatesAWorkingSink) {
  sdk::testing::PluginModule module(std::string(CCM_BINARY_DIR) + "/plugins/libccm-sink-http.so");
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.abiVersion(), sdk::kAbiVersion);
  ASSERT_NE(module.descriptor(), nullptr);

  const sdk::PluginDescriptor& descriptor = *module.descriptor();
  EXPECT_STREQ(descriptor.name, "http");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::Sink);
  EXPECT_STREQ(descriptor.version, "0.1.0");
  EXPECT_EQ(descriptor.config_schema, schemaText());
  ASSERT_NE(descriptor.create_sink, nullptr);
  EXPECT_EQ(descriptor.create_source, nullptr);
  {
    fakes::CloudEventsReceiver receiver;
    sdk::testing::FakeHost host;
    host.http_client_factory = [](const sdk::HttpClientOptions& options) {
      return std::make_unique<core::PooledHttpClient>(options);
    };
    auto created = descriptor.create_sink(sdk::PluginContext{"events-http", "{}", "", receiver.url(), host});
    ASSERT_NE(created.object, nullptr) << created.error;
    const auto outcomes = created.object->deliver(testing::makeEvents(1));
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].kind, sdk::Outcome::Kind::Delivered) << outcomes[0].message;
    EXPECT_EQ(descriptor.create_sink(sdk::PluginContext{"bad", "{}", "", "", host}).error,
              "http sink config \"url\": is required when CLOUDEVENTS_SINK_URL (cloudevents.sink_url) is not set");
  }
}

}  // namespace
}  // namespace ccm::sinks::http
