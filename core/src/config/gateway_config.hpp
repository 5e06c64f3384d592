#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_settings.hpp"
#include "http/tls_settings.hpp"
#include "store/store_config.hpp"

namespace ccm::core {

// Credentials an inbound event must carry (docs/ingress.md): exactly one of
// bearer_token or hmac_secret, each a secret reference ("env:NAME" or
// "file:/path") resolved at start-up, or jwt (an OIDC issuer's token).
struct IngressAuthConfig {
  std::string bearer_token;
  std::string hmac_secret;  // HMAC-SHA256 of the raw body, hex, in `header`
  std::optional<IngressJwtConfig> jwt;
  std::string header = "X-Signature";
  std::string pointer;  // where it sits in the file, e.g. "/sources/0/auth"
};

// One plugin instance the config selects: a sink, source, pod generator or
// assessment client.
struct PluginInstanceConfig {
  std::string name;         // instance name, unique within its section
  std::string plugin;       // descriptor name of the plugin
  std::string config_json;  // the instance's "config" object ("{}" when absent)
  std::string pointer;      // where it sits in the file, e.g. "/sinks/0"
  std::string delivery_json = "{}";  // sinks only: the "delivery" object
  std::optional<IngressAuthConfig> auth;  // sources only
};

// The whole validated configuration, defaults applied.
struct GatewayConfig {
  std::filesystem::path file;

  struct Server {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    int threads = 16;          // workers for the REST API's blocking routes
    int max_queued = 256;      // API requests waiting for a worker before 503
    int io_threads = 2;        // event loops reading and writing connections
    int max_connections = 4096;
    int keep_alive_timeout_ms = 10000;  // an idle connection is closed after this
    int request_timeout_ms = 60000;     // to receive a whole request (408), or to write a response
    int shutdown_timeout_ms = 10000;
    // How long a replica's sink lease lasts unrenewed: the holder renews every
    // quarter of it, and another replica takes a dead holder's sinks within
    // it plus a quarter (docs/operations.md#replicas).
    int sink_lease_ms = 4000;
    int max_json_depth = 64;  // REST API request bodies; deeper is refused with 400
    std::optional<TlsSettings> tls;
    // Who may call the management API; without it the server listens on
    // loopback only, unless allow_unauthenticated says otherwise.
    std::optional<ApiAuthConfig> auth;
    bool allow_unauthenticated = false;
    // GET /api/v1/events/stream (docs/api.md#event-stream).
    struct EventStreams {
      int max_streams = 64;
      int max_buffer_bytes = 1 << 20;  // per stream; a client further behind is disconnected
      int poll_interval_ms = 250;      // how often the store is read for other replicas' events
      int heartbeat_seconds = 15;
    } event_streams;
    // The operator console at /console (docs/console.md).
    struct Console {
      bool enabled = true;
      std::filesystem::path directory;  // its static files; empty: the installed ones
      std::string oidc_client_id;       // the console's public client at server.auth.oidc's issuer ("" = API keys only)
    } console;
    // Who holds sink leases; the host name by default, so a restarted gateway
    // takes its own leases back at once. Replicas sharing a store need distinct ids.
    std::string replica_id;
  } server;

  struct CloudEvents {
    std::string source = "urn:ccm-gateway";
    std::string sink_url;
  } cloudevents;

  std::vector<std::filesystem::path> plugin_directories;
  std::vector<PluginInstanceConfig> sinks;
  std::vector<PluginInstanceConfig> sources;
  std::optional<PluginInstanceConfig> pod_generator;
  std::optional<PluginInstanceConfig> assessment_client;

  StoreConfig store;

  struct Engine {
    std::int64_t session_ttl_seconds = 4 * 3600;
    int reconcile_interval_ms = 1000;
    std::string schema_base_url;
    std::string assessment_part_id = "1";  // the part a session's Pod is assigned to
  } engine;

  struct Ingress {
    std::size_t max_body_bytes = 1 << 20;
    std::size_t max_depth = 64;
    std::int64_t dedup_ttl_seconds = 86400;
    enum class Unclaimed { Reject, Forward } unclaimed = Unclaimed::Reject;
    std::optional<IngressAuthConfig> forward_auth;
  } ingress;

  std::string log_level = "info";

  // Line of every value in the file, by JSON pointer, for error messages.
  std::map<std::string, int> value_lines;
};

}  // namespace ccm::core
