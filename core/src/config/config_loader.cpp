#include "config/config_loader.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <Poco/Environment.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "ccm/sdk/codec.hpp"
#include "config/auth_config_reader.hpp"
#include "config/cesql_filter_check.hpp"
#include "http/host_address.hpp"
#include "config/json_locations.hpp"
#include "config/json_schema.hpp"
#include "gateway_schema.hpp"

#ifndef CCM_DEFAULT_PLUGIN_DIR
#define CCM_DEFAULT_PLUGIN_DIR "/usr/lib/ccm-gateway/plugins"
#endif

namespace ccm::core {
namespace {

}  // namespace

sdk::Error locateInFile(const sdk::Error& error, const std::filesystem::path& file,
                        const std::map<std::string, int>& lines) {
  std::string pointer = error.where == "/" ? "" : error.where;
  for (;;) {
    if (auto it = lines.find(pointer); it != lines.end()) {
      return {error.where, file.string() + ":" + std::to_string(it->second) + ": " + error.message};
    }
    const auto slash = pointer.rfind('/');
    if (slash == std::string::npos) break;
    pointer.erase(slash);
  }
  return {error.where, file.string() + ": " + error.message};
}

namespace {

std::string stringOr(const rapidjson::Value& object, const char* name, std::string fallback) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : fallback;
}

int intOr(const rapidjson::Value& object, const char* name, int fallback) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsInt() ? it->value.GetInt() : fallback;
}

PluginInstanceConfig instanceFrom(const rapidjson::Value& value, std::string pointer) {
  PluginInstanceConfig instance;
  instance.name = value["name"].GetString();
  instance.plugin = value["plugin"].GetString();
  auto config = value.FindMember("config");
  instance.config_json = config != value.MemberEnd() ? toJsonText(config->value) : "{}";
  auto delivery = value.FindMember("delivery");
  instance.delivery_json = delivery != value.MemberEnd() ? toJsonText(delivery->value) : "{}";
  instance.pointer = std::move(pointer);
  return instance;
}

// Schema-valid "auth" objects still need exactly one credential, and the
// HMAC settings only make sense with an HMAC secret.
std::optional<sdk::Error> readAuth(const rapidjson::Value& value, const std::string& pointer,
                                   std::optional<IngressAuthConfig>& out) {
  IngressAuthConfig auth;
  auth.bearer_token = stringOr(value, "bearer_token", "");
  auth.hmac_secret = stringOr(value, "hmac_secret", "");
  auth.header = stringOr(value, "header", auth.header);
  auth.pointer = pointer;
  if (auto jwt = value.FindMember("jwt"); jwt != value.MemberEnd()) {
    auth.jwt.emplace();
    auth.jwt->required_role = stringOr(jwt->value, "required_role", "");
    if (auto error = readOidc(jwt->value, pointer + "/jwt", auth.jwt->oidc)) return error;
  }
  const int credentials = !auth.bearer_token.empty() + !auth.hmac_secret.empty() + auth.jwt.has_value();
  if (credentials != 1) {
    return sdk::Error{pointer, pointer + ": set exactly one of \"bearer_token\", \"hmac_secret\" or \"jwt\""};
  }
  if (auth.hmac_secret.empty() && (value.HasMember("header") || value.HasMember("algorithm"))) {
    return sdk::Error{pointer,
                      pointer + ": \"header\" and \"algorithm\" go with \"hmac_secret\" only"};
  }
  out = std::move(auth);
  return std::nullopt;
}

std::optional<sdk::Error> readIngress(const rapidjson::Value& ingress, GatewayConfig::Ingress& out) {
  auto member = [&ingress](const char* name) -> const rapidjson::Value* {
    auto it = ingress.FindMember(name);
    return it == ingress.MemberEnd() ? nullptr : &it->value;
  };
  if (const auto* bytes = member("max_body_bytes")) out.max_body_bytes = bytes->GetUint64();
  if (const auto* depth = member("max_depth")) out.max_depth = depth->GetUint();
  if (const auto* ttl = member("dedup_ttl_seconds")) out.dedup_ttl_seconds = ttl->GetInt64();
  if (stringOr(ingress, "unclaimed", "reject") == "forward") out.unclaimed = GatewayConfig::Ingress::Unclaimed::Forward;
  if (const auto* auth = member("forward_auth")) return readAuth(*auth, "/ingress/forward_auth", out.forward_auth);
  return std::nullopt;
}

std::optional<sdk::Error> readInstances(const rapidjson::Value& root, const char* section,
                                        std::vector<PluginInstanceConfig>& out) {
  auto it = root.FindMember(section);
  if (it == root.MemberEnd()) return std::nullopt;
  std::set<std::string> names;
  rapidjson::SizeType index = 0;
  for (const auto& item : it->value.GetArray()) {
    const std::string pointer = "/" + std::string(section) + "/" + std::to_string(index++);
    out.push_back(instanceFrom(item, pointer));
    if (auto auth = item.FindMember("auth"); auth != item.MemberEnd()) {
      if (auto error = readAuth(auth->value, pointer + "/auth", out.back().auth)) return error;
    }
    if (auto error = checkCesqlFilter(item, pointer)) return error;
    if (!names.insert(out.back().name).second) {
      return sdk::Error{pointer + "/name", pointer + "/name: duplicate " + std::string(section) + " name \"" +
                                               out.back().name + "\" (names must be unique)"};
    }
  }
  return std::nullopt;
}

// server.tls: the schema has the shapes; the CA file only makes sense with client certificates.
std::optional<sdk::Error> readTls(const rapidjson::Value& value, std::optional<TlsSettings>& out) {
  TlsSettings tls;
  tls.cert_file = stringOr(value, "cert_file", "");
  tls.key_file = stringOr(value, "key_file", "");
  tls.client_ca_file = stringOr(value, "client_ca_file", "");
  tls.min_version = stringOr(value, "min_version", tls.min_version);
  const auto client_auth = stringOr(value, "client_auth", "none");
  if (client_auth == "optional") tls.client_auth = TlsSettings::ClientAuth::Optional;
  if (client_auth == "required") tls.client_auth = TlsSettings::ClientAuth::Required;
  if (tls.client_auth != TlsSettings::ClientAuth::None && tls.client_ca_file.empty()) {
    return sdk::Error{"/server/tls/client_ca_file", "/server/tls/client_ca_file: required when /server/tls/client_auth is \"" +
                                                        client_auth + "\" (the CAs client certificates must chain to)"};
  }
  out = std::move(tls);
  return std::nullopt;
}

// Secure by default: an API anyone on the network can call is opted into, not fallen into.
std::optional<sdk::Error> checkServerAccess(const GatewayConfig::Server& server) {
  if (!server.auth && !server.allow_unauthenticated && !isLoopbackHost(server.host)) {
    return sdk::Error{"/server/host", "/server/host: \"" + server.host + "\" is not a loopback address, and without "
                                      "/server/auth anyone who reaches it could call the whole API; configure "
                                      "server.auth (docs/security.md), or set \"server\": {\"allow_unauthenticated\": "
                                      "true} to accept that"};
  }
  const bool certificates_asked = server.tls && server.tls->client_auth != TlsSettings::ClientAuth::None;
  if (server.auth && !server.auth->client_certificates.empty() && !certificates_asked) {
    return sdk::Error{"/server/auth/client_certificates",
                      "/server/auth/client_certificates: needs /server/tls/client_auth \"optional\" or \"required\" "
                      "(otherwise no client certificate is asked for)"};
  }
  return std::nullopt;
}

std::optional<sdk::Error> readStore(const rapidjson::Value& store, StoreConfig& out) {
  if (stringOr(store, "driver", "sqlite") == "postgresql") out.driver = StoreDriver::Postgresql;
  if (auto sqlite = store.FindMember("sqlite"); sqlite != store.MemberEnd()) {
    out.sqlite.path = stringOr(sqlite->value, "path", out.sqlite.path.string());
    if (stringOr(sqlite->value, "synchronous", "full") == "normal") out.sqlite.synchronous = SqliteSynchronous::Normal;
    out.sqlite.busy_timeout_ms = intOr(sqlite->value, "busy_timeout_ms", out.sqlite.busy_timeout_ms);
  }
  if (auto postgresql = store.FindMember("postgresql"); postgresql != store.MemberEnd()) {
    out.postgresql.connection = stringOr(postgresql->value, "connection", "");
    out.postgresql.pool_size = intOr(postgresql->value, "pool_size", out.postgresql.pool_size);
  }
  if (auto retention = store.FindMember("retention"); retention != store.MemberEnd()) {
    auto& r = out.retention;
    for (auto [name, field] : {std::pair{"max_age_seconds", &r.max_age_seconds}, std::pair{"max_events", &r.max_events},
                               std::pair{"max_bytes", &r.max_bytes},
                               std::pair{"force_after_seconds", &r.force_after_seconds}}) {
      if (auto member = retention->value.FindMember(name); member != retention->value.MemberEnd()) {
        *field = member->value.GetInt64();
      }
    }
    r.interval_ms = intOr(retention->value, "interval_ms", r.interval_ms);
    r.batch_size = intOr(retention->value, "batch_size", r.batch_size);
    if (auto log = retention->value.FindMember("attempt_log"); log != retention->value.MemberEnd()) {
      r.attempt_log.max_attempts_per_event =
          intOr(log->value, "max_attempts_per_event", r.attempt_log.max_attempts_per_event);
      if (auto age = log->value.FindMember("max_age_seconds"); age != log->value.MemberEnd()) {
        r.attempt_log.max_age_seconds = age->value.GetInt64();
      }
    }
    if (r.force_after_seconds && !r.enabled()) {
      return sdk::Error{"/store/retention/force_after_seconds",
                        "/store/retention/force_after_seconds: needs a limit to force (max_age_seconds, max_events "
                        "or max_bytes)"};
    }
    if (r.force_after_seconds && r.max_age_seconds && *r.force_after_seconds < *r.max_age_seconds) {
      return sdk::Error{"/store/retention/force_after_seconds",
                        "/store/retention/force_after_seconds: must not be less than max_age_seconds (" +
                            std::to_string(*r.max_age_seconds) + ")"};
    }
  }
  if (out.driver == StoreDriver::Postgresql && out.postgresql.connection.empty()) {
    return sdk::Error{"/store/postgresql/connection",
                      "/store/postgresql/connection: required when /store/driver is \"postgresql\""};
  }
  return std::nullopt;
}

}  // namespace

std::filesystem::path defaultPluginDirectory() { return CCM_DEFAULT_PLUGIN_DIR; }

std::vector<std::filesystem::path> defaultConsoleDirectories() {
  return {CCM_DEFAULT_CONSOLE_DIR, CCM_SOURCE_CONSOLE_DIR};
}

sdk::Result<GatewayConfig> loadConfigFile(const std::filesystem::path& file, const EnvLookup& env) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return sdk::Error{file.string(), file.string() + ": cannot open config file"};
  std::stringstream text;
  text << in.rdbuf();
  return loadConfigText(text.str(), file, env);
}

sdk::Result<GatewayConfig> loadConfigText(std::string_view text, const std::filesystem::path& file,
                                          const EnvLookup& env) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (document.HasParseError()) {
    const auto [line, column] = lineAndColumn(text, document.GetErrorOffset());
    return sdk::Error{file.string(), file.string() + ":" + std::to_string(line) + ":" + std::to_string(column) +
                                         ": invalid JSON: " + rapidjson::GetParseError_En(document.GetParseError())};
  }
  // Reading where each value sits costs time and memory in proportion to its
  // depth, so a file nested absurdly deep would exhaust memory first.
  if (sdk::jsonNestsDeeperThan(text, kMaxConfigDepth)) {
    return sdk::Error{file.string(), file.string() + ": JSON nested deeper than " + std::to_string(kMaxConfigDepth) +
                                         " levels; a gateway config needs far fewer"};
  }
  const auto lines = jsonValueLines(text);
  if (auto error = substituteVariablesInTree(document, document.GetAllocator(), env)) return locateInFile(*error, file, lines);

  static const auto schema = JsonSchema::compile(kConfigSchema, "gateway.schema.json");
  if (!schema) return schema.error();
  if (auto error = schema.value()->validate(document)) return locateInFile(*error, file, lines);

  GatewayConfig config;
  config.file = file;
  config.server.replica_id = Poco::Environment::nodeName();
  config.value_lines = lines;
  if (auto server = document.FindMember("server"); server != document.MemberEnd()) {
    config.server.host = stringOr(server->value, "host", config.server.host);
    config.server.port = static_cast<std::uint16_t>(intOr(server->value, "port", config.server.port));
    config.server.threads = intOr(server->value, "threads", config.server.threads);
    config.server.max_queued = intOr(server->value, "max_queued", config.server.max_queued);
    config.server.io_threads = intOr(server->value, "io_threads", config.server.io_threads);
    config.server.max_connections = intOr(server->value, "max_connections", config.server.max_connections);
    config.server.keep_alive_timeout_ms =
        intOr(server->value, "keep_alive_timeout_ms", config.server.keep_alive_timeout_ms);
    config.server.request_timeout_ms = intOr(server->value, "request_timeout_ms", config.server.request_timeout_ms);
    config.server.shutdown_timeout_ms = intOr(server->value, "shutdown_timeout_ms", config.server.shutdown_timeout_ms);
    config.server.sink_lease_ms = intOr(server->value, "sink_lease_ms", config.server.sink_lease_ms);
    config.server.replica_id = stringOr(server->value, "replica_id", config.server.replica_id);
    config.server.max_json_depth = intOr(server->value, "max_json_depth", config.server.max_json_depth);
    if (auto streams = server->value.FindMember("event_streams"); streams != server->value.MemberEnd()) {
      auto& into = config.server.event_streams;
      into.max_streams = intOr(streams->value, "max_streams", into.max_streams);
      into.max_buffer_bytes = intOr(streams->value, "max_buffer_bytes", into.max_buffer_bytes);
      into.poll_interval_ms = intOr(streams->value, "poll_interval_ms", into.poll_interval_ms);
      into.heartbeat_seconds = intOr(streams->value, "heartbeat_seconds", into.heartbeat_seconds);
    }
    if (auto console = server->value.FindMember("console"); console != server->value.MemberEnd()) {
      auto& into = config.server.console;
      if (auto enabled = console->value.FindMember("enabled"); enabled != console->value.MemberEnd()) {
        into.enabled = enabled->value.GetBool();
      }
      into.directory = stringOr(console->value, "directory", "");
      into.oidc_client_id = stringOr(console->value, "oidc_client_id", "");
    }
    if (auto tls = server->value.FindMember("tls"); tls != server->value.MemberEnd()) {
      if (auto error = readTls(tls->value, config.server.tls)) return locateInFile(*error, file, lines);
    }
    if (auto auth = server->value.FindMember("auth"); auth != server->value.MemberEnd()) {
      config.server.auth.emplace();
      if (auto error = readApiAuth(auth->value, *config.server.auth)) return locateInFile(*error, file, lines);
    }
    if (auto allow = server->value.FindMember("allow_unauthenticated"); allow != server->value.MemberEnd()) {
      config.server.allow_unauthenticated = allow->value.GetBool();
    }
  }
  if (auto error = checkServerAccess(config.server)) return locateInFile(*error, file, lines);
  if (auto ce = document.FindMember("cloudevents"); ce != document.MemberEnd()) {
    config.cloudevents.source = stringOr(ce->value, "source", config.cloudevents.source);
    config.cloudevents.sink_url = stringOr(ce->value, "sink_url", config.cloudevents.sink_url);
  }
  // The seeds' environment overrides win over the file (ADR-003 implementation notes).
  if (auto source = env("CLOUDEVENTS_SOURCE"); source && !source->empty()) config.cloudevents.source = *source;
  if (auto url = env("CLOUDEVENTS_SINK_URL"); url && !url->empty()) config.cloudevents.sink_url = *url;

  if (auto plugins = document.FindMember("plugins"); plugins != document.MemberEnd()) {
    if (auto dirs = plugins->value.FindMember("directories"); dirs != plugins->value.MemberEnd()) {
      for (const auto& dir : dirs->value.GetArray()) config.plugin_directories.emplace_back(dir.GetString());
    }
  }
  if (config.plugin_directories.empty()) config.plugin_directories.push_back(defaultPluginDirectory());

  if (auto error = readInstances(document, "sinks", config.sinks)) return locateInFile(*error, file, lines);
  if (auto error = readInstances(document, "sources", config.sources)) return locateInFile(*error, file, lines);
  if (auto pod = document.FindMember("pod_generator"); pod != document.MemberEnd()) {
    config.pod_generator = instanceFrom(pod->value, "/pod_generator");
  }
  if (auto client = document.FindMember("assessment_client"); client != document.MemberEnd()) {
    config.assessment_client = instanceFrom(client->value, "/assessment_client");
  }
  if (auto store = document.FindMember("store"); store != document.MemberEnd()) {
    if (auto error = readStore(store->value, config.store)) return locateInFile(*error, file, lines);
  }
  if (auto engine = document.FindMember("engine"); engine != document.MemberEnd()) {
    if (auto ttl = engine->value.FindMember("session_ttl_seconds"); ttl != engine->value.MemberEnd()) {
      config.engine.session_ttl_seconds = ttl->value.GetInt64();
    }
    config.engine.reconcile_interval_ms = intOr(engine->value, "reconcile_interval_ms", config.engine.reconcile_interval_ms);
    config.engine.schema_base_url = stringOr(engine->value, "schema_base_url", config.engine.schema_base_url);
    config.engine.assessment_part_id = stringOr(engine->value, "assessment_part_id", config.engine.assessment_part_id);
  }
  if (auto ingress = document.FindMember("ingress"); ingress != document.MemberEnd()) {
    if (auto error = readIngress(ingress->value, config.ingress)) return locateInFile(*error, file, lines);
  }
  if (auto logging = document.FindMember("logging"); logging != document.MemberEnd()) {
    config.log_level = stringOr(logging->value, "level", config.log_level);
  }
  return config;
}

}  // namespace ccm::core
