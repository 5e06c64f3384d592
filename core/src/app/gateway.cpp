#include "app/gateway.hpp"

#include <Poco/Logger.h>

#include "api/console_routes.hpp"
#include "api/delivery_attempt_routes.hpp"
#include "api/delivery_routes.hpp"
#include "api/event_stream_route.hpp"
#include "api/json_request.hpp"
#include "api/lifecycle_routes.hpp"
#include "api/openapi_route.hpp"
#include "api/redrive_routes.hpp"
#include "app/heap_trim.hpp"
#include "app/plugin_selection.hpp"
#include "config/config_loader.hpp"
#include "domain/uuid.hpp"
#include "http/host_address.hpp"
#include "http/tls_context.hpp"
#include "ingress/ingress_route.hpp"
#include "observability/json_log.hpp"
#include "plugin/http_client.hpp"
#include "plugin/plugin_instance.hpp"
#include "store/open_store.hpp"
#include "version.hpp"

namespace ccm::core {
namespace {

Poco::Logger& appLog() {
  return Poco::Logger::get("ccm.gateway");
}

// Soon enough after a load that idle memory falls back; a trim of an idle
// heap takes microseconds.
constexpr std::chrono::seconds kHeapTrimInterval{5};

}  // namespace

sdk::Result<std::unique_ptr<PluginCatalog>> loadPluginsFor(const GatewayConfig& config) {
  auto catalog = std::make_unique<PluginCatalog>(config.plugin_directories);
  catalog->scan();
  if (!catalog->refusals().empty()) {
    std::string message = "refusing to start: ";
    for (std::size_t i = 0; i < catalog->refusals().size(); ++i) {
      message += (i ? "; " : "") + catalog->refusals()[i].message;
    }
    return sdk::Error{catalog->refusals().front().where, message};
  }
  auto selected = selectPlugins(config, *catalog);
  if (!selected) return selected.error();
  return catalog;
}

Gateway::Gateway(GatewayConfig config) : config_(std::move(config)) {
  metrics_.describe("ccm_build_info", sdk::MetricType::Gauge, "Build information; the value is always 1.");
  metrics_.set("ccm_build_info", 1,
               {{"version", kVersion}, {"sdk_abi", std::to_string(sdk::kAbiVersion)}, {"allocator", heapAllocator()}});
  metrics_.describe("ccm_plugin_instances", sdk::MetricType::Gauge, "Plugin instances running, by kind.");
  metrics_.describe("ccm_uptime_seconds", sdk::MetricType::Gauge, "Seconds since the gateway started.");
}

Gateway::~Gateway() {
  stop();
  retention_.reset();
  reconciler_.reset();
  heap_trim_.reset();
  if (delivery_) delivery_->stopAll();
  // Instances die before hosts and the catalog (each also pins its library).
  initial_sinks_.clear();
  ingress_.reset();
  sources_.clear();
  collection_.reset();
  pod_generator_.reset();
  assessment_client_.reset();
}

namespace {

// Equal fingerprints: the sink's configuration did not change on reload.
std::string sinkFingerprint(const PluginInstanceConfig& instance) {
  return instance.plugin + '\n' + instance.config_json + '\n' + instance.delivery_json;
}

}  // namespace

sdk::PluginContext Gateway::contextFor(const PluginInstanceConfig& instance, const GatewayConfig& config) {
  auto& host = *hosts_.emplace_back(std::make_unique<GatewayHost>(instance.plugin, instance.name, metrics_));
  return {instance.name, instance.config_json, config.cloudevents.source, config.cloudevents.sink_url, host};
}

template <class T>
std::optional<sdk::Error> Gateway::instantiateInto(const SelectedPlugin& choice, const GatewayConfig& config,
                                                   std::shared_ptr<T>& into) {
  const auto& instance = *choice.instance;
  const auto& library = choice.plugin->library;
  auto created = instantiate<T>(library, contextFor(instance, config));
  if (!created) return sdk::Error{instance.pointer, instance.pointer + ": " + created.error().message};
  into = std::move(created.value());
  logWithFields(appLog(), sdk::LogLevel::Info, "plugin instance created",
                {{"instance", instance.name},
                 {"plugin", instance.plugin},
                 {"kind", pluginKindName(choice.slot)},
                 {"version", library->descriptor().version},
                 {"library", library->file().string()}});
  return std::nullopt;
}

sdk::Result<std::vector<SinkSpec>> Gateway::buildSinks(const GatewayConfig& config,
                                                       const std::vector<SelectedPlugin>& selected) {
  const auto running = delivery_->fingerprints();
  std::vector<SinkSpec> specs;
  for (const auto& choice : selected) {
    if (choice.slot != sdk::PluginKind::Sink) continue;
    const auto& instance = *choice.instance;
    SinkSpec spec{instance.name, instance.plugin, sinkFingerprint(instance), nullptr,
                  deliverySettingsFromJson(instance.delivery_json)};
    if (auto it = running.find(instance.name); it == running.end() || it->second != spec.fingerprint) {
      if (auto error = instantiateInto(choice, config, spec.sink)) return *error;
    }
    specs.push_back(std::move(spec));
  }
  // The collection flow consumes the log beside the sinks (it needs no reload).
  if (assessment_client_) specs.push_back(CollectionFlow::spec(collection_));
  return specs;
}

sdk::Result<std::shared_ptr<boost::asio::ssl::context>> Gateway::tlsContextFor(const GatewayConfig& config) {
  if (!config.server.tls) return std::shared_ptr<boost::asio::ssl::context>();
  try {
    return makeServerTlsContext(*config.server.tls);
  } catch (const std::exception& e) {
    return sdk::Error{"/server/tls", config.file.string() + ": " + e.what()};
  }
}

std::shared_ptr<const TokenVerifier> Gateway::verifierFor(const OidcSettings& settings) {
  std::lock_guard lock(key_sources_mutex_);
  auto& source = key_sources_[settings.issuer];
  if (!source) {
    sdk::HttpClientOptions client;
    client.connect_timeout = client.read_timeout = std::chrono::seconds(5);
    source = std::make_shared<OidcKeySource>(
        OidcKeySource::Options{settings.issuer, std::chrono::seconds(settings.jwks_refresh_seconds)},
        std::make_shared<PooledHttpClient>(client));
  }
  return std::make_shared<const TokenVerifier>(source, settings);
}

sdk::Result<std::shared_ptr<const ApiAuthenticator>> Gateway::authenticatorFor(const GatewayConfig& config) {
  if (!config.server.auth) return std::shared_ptr<const ApiAuthenticator>();
  const auto& auth = *config.server.auth;
  auto authenticator = ApiAuthenticator::create(auth, auth.oidc ? verifierFor(*auth.oidc) : nullptr);
  if (!authenticator) return locateInFile(authenticator.error(), config.file, config.value_lines);
  return authenticator;
}

sdk::Result<std::unique_ptr<Gateway>> Gateway::create(GatewayConfig config) {
  // Checked before anything opens: a certificate that cannot be used is a configuration error.
  if (auto tls = tlsContextFor(config); !tls) return tls.error();
  std::unique_ptr<Gateway> gateway(new Gateway(std::move(config)));
  auto catalog = loadPluginsFor(gateway->config_);
  if (!catalog) return catalog.error();
  gateway->catalog_ = std::move(catalog.value());

  auto lock = lockStoreForGateway(gateway->config_.store);
  if (!lock) return lock.error();
  gateway->store_lock_ = std::move(lock.value());
  auto store = openStore(gateway->config_.store);
  if (!store) return store.error();
  gateway->store_ = std::move(store.value());
  const auto& engine = gateway->config_.engine;
  gateway->lifecycle_ = std::make_unique<Lifecycle>(
      *gateway->store_, CloudEventConverter(gateway->config_.cloudevents.source, engine.schema_base_url),
      EngineSettings{engine.session_ttl_seconds}, [] { return std::chrono::system_clock::now(); }, newUuid);
  gateway->delivery_ = std::make_unique<DeliveryService>(
      *gateway->store_, gateway->metrics_, gateway->config_.server.replica_id,
      std::chrono::milliseconds(gateway->config_.server.shutdown_timeout_ms),
      std::chrono::milliseconds(gateway->config_.server.sink_lease_ms),
      [lifecycle = gateway->lifecycle_.get()](const std::string& sink,
                                              const std::string& reason) -> std::optional<SinkPause> {
        std::string error;
        try {
          auto paused = lifecycle->pauseSink(sink, reason, true);
          if (paused) return paused.value();
          error = paused.error().detail;
        } catch (const std::exception& e) {
          error = e.what();  // the store is away: the dispatcher tries again next turn
        }
        logWithFields(Poco::Logger::get("ccm.delivery"), sdk::LogLevel::Error, "cannot pause sink",
                      {{"sink", sink}, {"error", error}});
        return std::nullopt;
      });
  const auto& streams = gateway->config_.server.event_streams;
  gateway->event_streams_ = std::make_unique<EventStreams>(
      *gateway->store_,
      EventStreamSettings{
          static_cast<std::size_t>(streams.max_streams), static_cast<std::size_t>(streams.max_buffer_bytes),
          std::chrono::milliseconds(streams.poll_interval_ms), std::chrono::seconds(streams.heartbeat_seconds)},
      &gateway->metrics_);
  gateway->lifecycle_->setCommitListener(
      [delivery = gateway->delivery_.get(), streams = gateway->event_streams_.get()] {
        delivery->wakeAll();
        streams->wake();
      });

  if (auto error = gateway->loadConsole()) return *error;

  auto selected = selectPlugins(gateway->config_, *gateway->catalog_);
  if (!selected) return selected.error();
  const auto& config_ref = gateway->config_;
  for (const auto& choice : selected.value()) {
    std::optional<sdk::Error> failure;
    switch (choice.slot) {
      case sdk::PluginKind::Sink:
        break;  // built below, for the delivery service
      case sdk::PluginKind::Source: {
        std::shared_ptr<sdk::Source> source;
        failure = gateway->instantiateInto(choice, config_ref, source);
        if (source) gateway->sources_.push_back(std::move(source));
        break;
      }
      case sdk::PluginKind::PodGenerator:
        failure = gateway->instantiateInto(choice, config_ref, gateway->pod_generator_);
        break;
      case sdk::PluginKind::AssessmentClient:
        failure = gateway->instantiateInto(choice, config_ref, gateway->assessment_client_);
        break;
    }
    if (failure) return *failure;
  }
  auto api_auth = gateway->authenticatorFor(config_ref);
  if (!api_auth) return api_auth.error();
  gateway->api_auth_ = std::move(api_auth.value());
  auto ingress =
      makeEventIngress(config_ref, gateway->sources_, *gateway->lifecycle_,
                       [g = gateway.get()](const OidcSettings& settings) { return g->verifierFor(settings); });
  if (!ingress) return ingress.error();
  gateway->ingress_ = std::move(ingress.value());
  gateway->collection_ =
      std::make_shared<CollectionFlow>(*gateway->store_, *gateway->lifecycle_, gateway->pod_generator_,
                                       gateway->assessment_client_, gateway->config_.engine.assessment_part_id);
  auto sinks = gateway->buildSinks(config_ref, selected.value());
  if (!sinks) return sinks.error();
  gateway->initial_sinks_ = std::move(sinks.value());
  gateway->countInstances(selected.value());
  return gateway;
}

std::optional<sdk::Error> Gateway::loadConsole() {
  const auto& console = config_.server.console;
  if (!console.enabled) return std::nullopt;
  if (!console.directory.empty()) {
    auto files = ConsoleFiles::load(console.directory);
    if (!files)
      return sdk::Error{"/server/console/directory",
                        config_.file.string() + ": /server/console/directory: " + files.error().message};
    console_files_ = std::make_shared<const ConsoleFiles>(std::move(files.value()));
    return std::nullopt;
  }
  std::string tried;
  for (const auto& directory : defaultConsoleDirectories()) {
    auto files = ConsoleFiles::load(directory);
    if (files) {
      console_files_ = std::make_shared<const ConsoleFiles>(std::move(files.value()));
      return std::nullopt;
    }
    tried += (tried.empty() ? "" : "; ") + files.error().message;
  }
  // Without its files the gateway still runs; only /console is missing.
  logWithFields(appLog(), sdk::LogLevel::Warning, "the console is not served (/console): no console files found",
                {{"error", tried}});
  return std::nullopt;
}

void Gateway::countInstances(const std::vector<SelectedPlugin>& selected) {
  for (auto kind : {sdk::PluginKind::Sink, sdk::PluginKind::Source, sdk::PluginKind::PodGenerator,
                    sdk::PluginKind::AssessmentClient}) {
    double count = 0;
    for (const auto& choice : selected) count += choice.slot == kind ? 1 : 0;
    metrics_.set("ccm_plugin_instances", count, {{"kind", pluginKindName(kind)}});
  }
}

sdk::Result<DeliveryService::Change> Gateway::reload() {
  std::lock_guard lock(reload_mutex_);
  // Everything is validated before anything changes: a bad file changes nothing.
  auto config = loadConfigFile(config_.file, processEnvironment());
  if (!config) return config.error();
  for (const auto& dir : extra_plugin_dirs_) config.value().plugin_directories.push_back(dir);
  auto catalog = loadPluginsFor(config.value());
  if (!catalog) return catalog.error();
  auto selected = selectPlugins(config.value(), *catalog.value());
  if (!selected) return selected.error();
  auto sinks = buildSinks(config.value(), selected.value());
  if (!sinks) return sinks.error();
  auto tls = reloadedTls(config.value());
  if (!tls) return tls.error();
  if (config.value().server.auth.has_value() != config_.server.auth.has_value()) {
    return sdk::Error{"/server/auth", "/server/auth: turning authentication on or off takes a restart, not a reload"};
  }
  auto api_auth = authenticatorFor(config.value());
  if (!api_auth) return api_auth.error();
  // Nothing can fail from here on.
  if (tls.value()) server_->useTls(std::move(tls.value()));
  if (server_) server_->useAuth(std::move(api_auth.value()));
  // Streams were let in by the old credentials: their clients reconnect
  // (Last-Event-ID) and are checked by the new ones.
  event_streams_->endAll();
  auto change = delivery_->apply(std::move(sinks.value()));
  // Objects made from the old catalog keep their libraries loaded themselves.
  reload_catalogs_.push_back(std::move(catalog.value()));
  configureJsonLogging(config.value().log_level);
  logWithFields(appLog(), sdk::LogLevel::Info, "configuration reloaded",
                {{"added", std::to_string(change.added.size())},
                 {"removed", std::to_string(change.removed.size())},
                 {"replaced", std::to_string(change.replaced.size())},
                 {"kept", std::to_string(change.kept.size())}});
  return change;
}

sdk::Result<std::shared_ptr<boost::asio::ssl::context>> Gateway::reloadedTls(const GatewayConfig& config) const {
  if (config.server.tls.has_value() != config_.server.tls.has_value()) {
    return sdk::Error{"/server/tls", "/server/tls: turning TLS on or off takes a restart, not a reload"};
  }
  if (!server_) return std::shared_ptr<boost::asio::ssl::context>();
  return tlsContextFor(config);
}

void Gateway::addRoutes(Router& router) {
  router.add("GET", "/healthz", [](const HttpRequest&, const PathParams&) {
    return bodyResponse(200, "application/json", R"({"status":"ok"})");
  });
  router.add("GET", "/readyz", [this](const HttpRequest&, const PathParams&) {
    std::string detail = ready_ ? "" : "starting";
    if (detail.empty()) {
      try {
        store_->lastSequence();  // the store answers
      } catch (const std::exception& e) {
        detail = std::string("store unavailable: ") + e.what();
      }
    }
    if (detail.empty()) return bodyResponse(200, "application/json", R"({"status":"ready"})");
    return problemResponse(503, detail);
  });
  router.add("GET", "/metrics", [this](const HttpRequest&, const PathParams&) {
    metrics_.set("ccm_uptime_seconds",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count());
    if (update_http_gauges_) update_http_gauges_();
    return bodyResponse(200, "text/plain; version=0.0.4; charset=utf-8", metrics_.renderPrometheus());
  });
  addOpenApiRoute(router);
  addDefinitionRoutes(router, *lifecycle_, *store_);
  addSessionRoutes(router, *lifecycle_, *store_);
  router.add("GET", "/api/v1/sessions/{id}/pod", [this](const HttpRequest&, const PathParams& params) {
    auto pod = collection_->podFor(params.at("id"));
    if (pod) return bodyResponse(200, "application/json", pod.value());
    return problemResponse(pod.error());
  });
  addWorkerRoutes(router, *lifecycle_, *store_);
  addEventLogRoutes(router, *store_);
  addEventStreamRoute(router, *store_, *event_streams_);
  if (console_files_) {
    const auto& auth = config_.server.auth;
    addConsoleRoutes(router, console_files_,
                     ConsoleSignIn{auth.has_value(), auth && auth->oidc ? auth->oidc->issuer : "",
                                   config_.server.console.oidc_client_id});
  }
  addDeliveryAttemptRoutes(router, *store_);
  addIngressRoute(router, *ingress_, &metrics_);
  addRedriveRoutes(router, *delivery_, *store_);
  addDeliveryRoutes(router, *delivery_, *store_, *lifecycle_, [this]() -> Expected<std::string> {
    auto change = reload();
    if (!change) return Error::unprocessable(change.error().message);
    auto list = [](const std::vector<std::string>& names) {
      std::string out = "[";
      for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ",\"" : "\"") + names[i] + "\"";
      return out + "]";
    };
    const auto& c = change.value();
    return "{\"added\":" + list(c.added) + ",\"removed\":" + list(c.removed) + ",\"replaced\":" + list(c.replaced) +
           ",\"kept\":" + list(c.kept) + "}";
  });
}

sdk::Result<std::uint16_t> Gateway::start() {
  router_ = std::make_unique<Router>();
  addRoutes(*router_);
  ApiServer::Options options;
  options.http.host = config_.server.host;
  options.http.port = config_.server.port;
  options.http.io_threads = config_.server.io_threads;
  options.http.max_connections = static_cast<std::size_t>(config_.server.max_connections);
  options.http.keep_alive_timeout = std::chrono::milliseconds(config_.server.keep_alive_timeout_ms);
  options.http.request_timeout = std::chrono::milliseconds(config_.server.request_timeout_ms);
  options.worker_threads = config_.server.threads;
  options.max_queued = static_cast<std::size_t>(config_.server.max_queued);
  options.metrics = &metrics_;
  options.max_json_depth = static_cast<std::size_t>(config_.server.max_json_depth);
  options.http.tls = config_.server.tls;
  options.auth = std::move(api_auth_);
  if (!config_.server.auth && !isLoopbackHost(config_.server.host)) {
    logWithFields(appLog(), sdk::LogLevel::Warning,
                  "the management API is open to anyone who reaches this address (server.allow_unauthenticated); "
                  "configure server.auth (docs/security.md)",
                  {{"host", config_.server.host}});
  }
  try {
    server_ = std::make_unique<ApiServer>(options, *router_);
  } catch (const std::exception& e) {
    return sdk::Error{"/server", e.what()};
  }
  update_http_gauges_ = server_->gaugeUpdater();
  server_->start();
  started_at_ = std::chrono::steady_clock::now();
  delivery_->apply(std::move(initial_sinks_));
  initial_sinks_.clear();
  // A failed pass (store unavailable) is logged and retried on the next tick;
  // state lives in the store, so nothing is lost in between.
  reconciler_ = std::make_unique<PeriodicTask>(
      std::chrono::milliseconds(config_.engine.reconcile_interval_ms), [lifecycle = lifecycle_.get()] {
        auto& log = Poco::Logger::get("ccm.reconciler");
        try {
          if (const int changed = lifecycle->reconcile(); changed > 0) {
            logWithFields(log, sdk::LogLevel::Info, "reconciled sessions", {{"changed", std::to_string(changed)}});
          }
        } catch (const std::exception& e) {
          logWithFields(log, sdk::LogLevel::Error, "reconciliation pass failed", {{"error", e.what()}});
        }
      });
  retention_ = std::make_unique<EventLogRetention>(
      *store_, metrics_, config_.store.retention,
      [delivery = delivery_.get()] {
        std::vector<std::string> names;
        for (const auto& [name, fingerprint] : delivery->fingerprints()) names.push_back(name);
        return names;
      },
      EventLogRetention::Pacing{.batch_target = config_.store.driver == StoreDriver::Sqlite
                                                    ? RetentionPacer::kDefaultTarget
                                                    : std::chrono::milliseconds::zero()});
  retention_->start();
  heap_trim_ = std::make_unique<PeriodicTask>(kHeapTrimInterval, &returnFreeHeapToTheSystem);
  ready_ = true;
  logWithFields(appLog(), sdk::LogLevel::Info, "listening",
                {{"host", config_.server.host}, {"port", std::to_string(port())}, {"version", kVersion}});
  return port();
}

void Gateway::stop() {
  if (!server_) return;
  ready_ = false;
  // New connections are refused at once; requests in hand get until the
  // deadline to be answered.
  const auto unanswered = server_->stop(std::chrono::milliseconds(config_.server.shutdown_timeout_ms));
  if (unanswered > 0) {
    logWithFields(appLog(), sdk::LogLevel::Warning, "requests still unanswered at shutdown were cut off",
                  {{"requests", std::to_string(unanswered)}});
  }
  server_.reset();
  // Requests still queued for the committer are committed and answered
  // (their connections are gone) before what their callbacks use goes away.
  lifecycle_->stopIngress();
  logWithFields(appLog(), sdk::LogLevel::Info, "stopped");
}

std::uint16_t Gateway::port() const {
  return server_ ? server_->port() : 0;
}

}  // namespace ccm::core
