#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/api_server.hpp"
#include "api/console_files.hpp"
#include "api/event_streams.hpp"
#include "api/router.hpp"
#include "app/collection_flow.hpp"
#include "app/plugin_selection.hpp"
#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/result.hpp"
#include "concurrency/periodic_task.hpp"
#include "config/gateway_config.hpp"
#include "delivery/delivery_service.hpp"
#include "delivery/event_log_retention.hpp"
#include "engine/lifecycle.hpp"
#include "ingress/event_ingress.hpp"
#include "observability/metrics_registry.hpp"
#include "plugin/gateway_host.hpp"
#include "plugin/plugin_catalog.hpp"
#include "store/sqlite_gateway_lock.hpp"
#include "store/store.hpp"

namespace ccm::core {

// Loads plugins and checks the whole config against them; what --check-config
// runs, and the first step of start-up. Any refused library is an error.
sdk::Result<std::unique_ptr<PluginCatalog>> loadPluginsFor(const GatewayConfig& config);

// A running gateway: the store and lifecycle engine, its plugins and their
// instances, the reconcilers and the HTTP server. Members are declared so that
// the server and reconcilers stop before what they use, and plugin instances
// are destroyed before the catalog's libraries are released.
class Gateway {
public:
  static sdk::Result<std::unique_ptr<Gateway>> create(GatewayConfig config);
  ~Gateway();

  // Binds and starts serving; the bound port is then port().
  sdk::Result<std::uint16_t> start();
  // Stops accepting connections and waits up to the configured deadline for
  // in-flight requests.
  void stop();

  std::uint16_t port() const;
  // The routes it serves; only after start().
  const Router& router() const { return *router_; }
  bool ready() const { return ready_; }
  const GatewayConfig& config() const { return config_; }
  MetricsRegistry& metrics() { return metrics_; }
  Store& store() { return *store_; }
  Lifecycle& lifecycle() { return *lifecycle_; }
  // Reads the config file again and applies its sinks (added, removed,
  // replaced; unchanged ones untouched), log level and TLS certificate (read
  // again from its files). Validates everything first: on error nothing
  // changes. Other sections need a restart.
  sdk::Result<DeliveryService::Change> reload();
  // The listener's TLS context as `config` sets it (null without
  // server.tls), or why its files cannot be used (naming the setting and file).
  static sdk::Result<std::shared_ptr<boost::asio::ssl::context>> tlsContextFor(const GatewayConfig& config);
  // The management API's authenticator as `config` sets it (null without
  // server.auth), or why an API key's hash cannot be read.
  sdk::Result<std::shared_ptr<const ApiAuthenticator>> authenticatorFor(const GatewayConfig& config);
  // Plugin directories given on the command line, kept across reloads.
  void setExtraPluginDirectories(std::vector<std::filesystem::path> dirs) { extra_plugin_dirs_ = std::move(dirs); }

private:
  explicit Gateway(GatewayConfig config);
  void addRoutes(Router& router);
  sdk::PluginContext contextFor(const PluginInstanceConfig& instance, const GatewayConfig& config);
  template <class T>
  std::optional<sdk::Error> instantiateInto(const SelectedPlugin& choice, const GatewayConfig& config,
                                            std::shared_ptr<T>& into);
  sdk::Result<std::vector<SinkSpec>> buildSinks(const GatewayConfig& config,
                                                const std::vector<SelectedPlugin>& selected);
  void countInstances(const std::vector<SelectedPlugin>& selected);
  // Reads the console's files (server.console); an error only for a
  // directory the config names that cannot be used.
  std::optional<sdk::Error> loadConsole();
  // One key source per issuer, shared by the API and jwt sources, kept
  // across reloads (a reload does not refetch an issuer's keys).
  std::shared_ptr<const TokenVerifier> verifierFor(const OidcSettings& settings);
  // The listener's certificate as `config` names it (null without TLS), or
  // why it cannot be used.
  sdk::Result<std::shared_ptr<boost::asio::ssl::context>> reloadedTls(const GatewayConfig& config) const;

  GatewayConfig config_;
  MetricsRegistry metrics_;
  std::unique_ptr<SqliteGatewayLock> store_lock_;  // outlives store_
  std::unique_ptr<Store> store_;
  std::unique_ptr<Lifecycle> lifecycle_;
  std::unique_ptr<PluginCatalog> catalog_;
  std::vector<std::unique_ptr<PluginCatalog>> reload_catalogs_;
  std::vector<std::filesystem::path> extra_plugin_dirs_;
  std::mutex reload_mutex_;
  std::vector<std::unique_ptr<GatewayHost>> hosts_;
  std::unique_ptr<DeliveryService> delivery_;
  std::unique_ptr<EventLogRetention> retention_;
  std::vector<SinkSpec> initial_sinks_;  // until start() hands them to delivery_
  std::mutex key_sources_mutex_;
  std::map<std::string, std::shared_ptr<OidcKeySource>> key_sources_;  // by issuer
  std::shared_ptr<const ApiAuthenticator> api_auth_;                   // until start() hands it to server_
  std::vector<std::shared_ptr<sdk::Source>> sources_;
  std::unique_ptr<EventIngress> ingress_;  // POST /api/v1/events; holds the sources too
  std::shared_ptr<sdk::PodGenerator> pod_generator_;
  std::shared_ptr<sdk::AssessmentClient> assessment_client_;
  std::shared_ptr<CollectionFlow> collection_;         // also held by its dispatcher in delivery_
  std::unique_ptr<PeriodicTask> reconciler_;           // Lifecycle::reconcile() every engine.reconcile_interval_ms
  std::unique_ptr<PeriodicTask> heap_trim_;            // returnFreeHeapToTheSystem() every kHeapTrimInterval
  std::shared_ptr<const ConsoleFiles> console_files_;  // null when the console is not served
  std::unique_ptr<EventStreams> event_streams_;        // GET /api/v1/events/stream; outlives server_
  std::unique_ptr<Router> router_;                     // the routes server_ serves
  std::unique_ptr<ApiServer> server_;
  std::function<void()> update_http_gauges_;  // set before server_ starts; read by GET /metrics
  std::atomic<bool> ready_{false};
  std::chrono::steady_clock::time_point started_at_;
};

}  // namespace ccm::core
