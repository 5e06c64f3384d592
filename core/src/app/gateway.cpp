#include "app/gateway.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include "api/lifecycle_routes.hpp"
#include "api/problem_details.hpp"
#include "app/plugin_selection.hpp"
#include "observability/json_log.hpp"
#include "engine/uuid.hpp"
#include "plugin/plugin_instance.hpp"
#include "store/open_store.hpp"
#include "version.hpp"

namespace ccm::core {
namespace {

Poco::Logger& appLog() { return Poco::Logger::get("ccm.gateway"); }

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
  metrics_.set("ccm_build_info", 1, {{"version", kVersion}, {"sdk_abi", std::to_string(sdk::kAbiVersion)}});
  metrics_.describe("ccm_plugin_instances", sdk::MetricType::Gauge, "Plugin instances running, by kind.");
  metrics_.describe("ccm_http_requests_total", sdk::MetricType::Counter, "HTTP requests served, by route and status.");
  metrics_.describe("ccm_uptime_seconds", sdk::MetricType::Gauge, "Seconds since the gateway started.");
}

Gateway::~Gateway() {
  stop();
  reconciler_.reset();
  // Instances die before hosts and the catalog (each also pins its library).
  sinks_.clear();
  sources_.clear();
  pod_generator_.reset();
  assessment_client_.reset();
}

sdk::Result<std::unique_ptr<Gateway>> Gateway::create(GatewayConfig config) {
  std::unique_ptr<Gateway> gateway(new Gateway(std::move(config)));
  auto catalog = loadPluginsFor(gateway->config_);
  if (!catalog) return catalog.error();
  gateway->catalog_ = std::move(catalog.value());

  auto store = openStore(gateway->config_.store);
  if (!store) return store.error();
  gateway->store_ = std::move(store.value());
  const auto& engine = gateway->config_.engine;
  gateway->lifecycle_ = std::make_unique<Lifecycle>(
      *gateway->store_, CloudEventConverter(gateway->config_.cloudevents.source, engine.schema_base_url),
      EngineSettings{engine.session_ttl_seconds}, [] { return std::chrono::system_clock::now(); }, newUuid);
  auto selected = selectPlugins(gateway->config_, *gateway->catalog_);
  if (!selected) return selected.error();

  for (const auto& choice : selected.value()) {
    const auto& instance = *choice.instance;
    auto& host = *gateway->hosts_.emplace_back(
        std::make_unique<GatewayHost>(instance.plugin, instance.name, gateway->metrics_));
    sdk::PluginContext context{instance.name, instance.config_json, gateway->config_.cloudevents.source,
                               gateway->config_.cloudevents.sink_url, host};
    const auto& library = choice.plugin->library;
    std::optional<sdk::Error> failure;
    auto keep = [&failure](auto result, auto& into) {
      if (result) into = std::move(result.value());
      else failure = result.error();
    };
    switch (choice.slot) {
      case sdk::PluginKind::Sink: {
        std::shared_ptr<sdk::Sink> sink;
        keep(instantiate<sdk::Sink>(library, context), sink);
        if (sink) gateway->sinks_.push_back(std::move(sink));
        break;
      }
      case sdk::PluginKind::Source: {
        std::shared_ptr<sdk::Source> source;
        keep(instantiate<sdk::Source>(library, context), source);
        if (source) gateway->sources_.push_back(std::move(source));
        break;
      }
      case sdk::PluginKind::PodGenerator:
        keep(instantiate<sdk::PodGenerator>(library, context), gateway->pod_generator_);
        break;
      case sdk::PluginKind::AssessmentClient:
        keep(instantiate<sdk::AssessmentClient>(library, context), gateway->assessment_client_);
        break;
    }
    if (failure) return sdk::Error{instance.pointer, instance.pointer + ": " + failure->message};
    logWithFields(appLog(), sdk::LogLevel::Info, "plugin instance created",
                  {{"instance", instance.name},
                   {"plugin", instance.plugin},
                   {"kind", pluginKindName(choice.slot)},
                   {"version", library->descriptor().version},
                   {"library", library->file().string()}});
  }
  for (auto kind : {sdk::PluginKind::Sink, sdk::PluginKind::Source, sdk::PluginKind::PodGenerator,
                    sdk::PluginKind::AssessmentClient}) {
    double count = 0;
    for (const auto& choice : selected.value()) count += choice.slot == kind ? 1 : 0;
    gateway->metrics_.set("ccm_plugin_instances", count, {{"kind", pluginKindName(kind)}});
  }
  return gateway;
}

void Gateway::addRoutes(Router& router) {
  auto counted = [this](const std::string& route, int status) {
    metrics_.add("ccm_http_requests_total", 1, {{"route", route}, {"status", std::to_string(status)}});
  };
  router.add("GET", "/healthz", [counted](auto&, auto& response, const PathParams&) {
    sendBody(response, 200, "application/json", R"({"status":"ok"})");
    counted("/healthz", 200);
  });
  router.add("GET", "/readyz", [this, counted](auto&, auto& response, const PathParams&) {
    std::string detail = ready_ ? "" : "starting";
    if (detail.empty()) {
      try {
        store_->lastSequence();  // the store answers
      } catch (const std::exception& e) {
        detail = std::string("store unavailable: ") + e.what();
      }
    }
    if (detail.empty()) {
      sendBody(response, 200, "application/json", R"({"status":"ready"})");
    } else {
      sendProblem(response, 503, "Service Unavailable", detail);
    }
    counted("/readyz", detail.empty() ? 200 : 503);
  });
  router.add("GET", "/metrics", [this, counted](auto&, auto& response, const PathParams&) {
    counted("/metrics", 200);
    metrics_.set("ccm_uptime_seconds",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count());
    sendBody(response, 200, "text/plain; version=0.0.4; charset=utf-8", metrics_.renderPrometheus());
  });
  addDefinitionRoutes(router, *lifecycle_, *store_);
  addSessionRoutes(router, *lifecycle_, *store_);
  addWorkerRoutes(router, *lifecycle_, *store_);
  addEventLogRoutes(router, *store_);
}

sdk::Result<std::uint16_t> Gateway::start() {
  Poco::SharedPtr<Router> router = new Router;
  addRoutes(*router);
  try {
    // Poco's ServerSocket(address) also sets SO_REUSEPORT, which would let a
    // second gateway silently share the port; bind without it.
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(config_.server.host, config_.server.port), true, false);
    socket.listen(64);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(config_.server.threads);
    params->setMaxQueued(config_.server.max_queued);
    params->setKeepAlive(true);
    server_ = std::make_unique<Poco::Net::HTTPServer>(router, socket, params);
    server_->start();
  } catch (const Poco::Exception& e) {
    return sdk::Error{"/server", "cannot listen on " + config_.server.host + ":" + std::to_string(config_.server.port) +
                                     ": " + e.displayText()};
  }
  started_at_ = std::chrono::steady_clock::now();
  reconciler_ = std::make_unique<ReconcilerLoop>(*lifecycle_,
                                                 std::chrono::milliseconds(config_.engine.reconcile_interval_ms));
  ready_ = true;
  logWithFields(appLog(), sdk::LogLevel::Info, "listening",
                {{"host", config_.server.host}, {"port", std::to_string(port())}, {"version", kVersion}});
  return port();
}

void Gateway::stop() {
  if (!server_) return;
  ready_ = false;
  // stopAll(false) closes the listening socket and lets handlers finish;
  // in-flight requests get until the deadline.
  server_->stopAll(false);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.server.shutdown_timeout_ms);
  while (server_->currentConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
    Poco::Thread::sleep(20);
  }
  if (server_->currentConnections() > 0) server_->stopAll(true);
  server_.reset();
  logWithFields(appLog(), sdk::LogLevel::Info, "stopped");
}

std::uint16_t Gateway::port() const { return server_ ? server_->port() : 0; }

}  // namespace ccm::core
