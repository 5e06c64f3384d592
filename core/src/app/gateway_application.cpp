#include "app/gateway_application.hpp"

#include <iostream>

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/IntValidator.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionCallback.h>

#include "app/gateway.hpp"
#include "app/signal_waiter.hpp"
#include "ccm/sdk/plugin.hpp"
#include "config/config_loader.hpp"
#include "observability/json_log.hpp"
#include "version.hpp"

namespace ccm::core {
namespace {

Poco::Logger& appLog() { return Poco::Logger::get("ccm.gateway"); }

}  // namespace

void GatewayApplication::initialize(Poco::Util::Application& self) {
  configureJsonLogging("info");
  Poco::Util::ServerApplication::initialize(self);
}

void GatewayApplication::defineOptions(Poco::Util::OptionSet& options) {
  Poco::Util::ServerApplication::defineOptions(options);
  using Poco::Util::Option;
  using Poco::Util::OptionCallback;
  options.addOption(Option("help", "h", "print this help and exit")
                        .required(false)
                        .repeatable(false)
                        .callback(OptionCallback<GatewayApplication>(this, &GatewayApplication::handleHelp)));
  options.addOption(Option("version", "v", "print the version and plugin SDK ABI version and exit")
                        .callback(OptionCallback<GatewayApplication>(this, &GatewayApplication::handleMode)));
  options.addOption(Option("config", "c", "configuration file (default " CCM_DEFAULT_CONFIG ")")
                        .argument("FILE")
                        .callback(OptionCallback<GatewayApplication>(this, &GatewayApplication::handleConfig)));
  options.addOption(Option("check-config", "", "validate the configuration and the plugins it selects, then exit")
                        .callback(OptionCallback<GatewayApplication>(this, &GatewayApplication::handleMode)));
  options.addOption(Option("list-plugins", "", "list the plugins found in the plugin directories, then exit")
                        .callback(OptionCallback<GatewayApplication>(this, &GatewayApplication::handleMode)));
  options.addOption(Option("plugin-dir", "p", "add a plugin directory (repeatable); searched after the config's")
                        .argument("DIR")
                        .repeatable(true)
                        .callback(OptionCallback<GatewayApplication>(this, &GatewayApplication::handlePluginDir)));
}

void GatewayApplication::handleHelp(const std::string&, const std::string&) {
  Poco::Util::HelpFormatter help(options());
  help.setCommand(commandName());
  help.setUsage("[--config FILE] [--check-config | --list-plugins | --version]");
  help.setHeader(
      "ccm-gateway " CCM_VERSION
      ": owns the lifecycle of lab sessions and workers, emits a CloudEvent for every state change to the "
      "configured sinks, and accepts CloudEvents from external systems. Runs in the foreground until SIGTERM or "
      "SIGINT.");
  help.setFooter("Exit codes: 0 ok, 64 usage, 69 cannot listen, 78 configuration error. Docs: README.md, docs/.");
  help.format(std::cout);
  stopOptionsProcessing();
  mode_ = "help";
}

void GatewayApplication::handleConfig(const std::string&, const std::string& value) {
  config_file_ = value;
  config_given_ = true;
}

void GatewayApplication::handlePluginDir(const std::string&, const std::string& value) {
  extra_plugin_dirs_.push_back(value);
}

void GatewayApplication::handleMode(const std::string& name, const std::string&) { mode_ = name; }

int GatewayApplication::main(const std::vector<std::string>& args) {
  if (mode_ == "help") return EXIT_OK;
  if (!args.empty()) {
    std::cerr << "ccm-gateway: unexpected argument \"" << args.front() << "\" (see --help)\n";
    return EXIT_USAGE;
  }
  if (mode_ == "version") {
    std::cout << "ccm-gateway " << kVersion << " (plugin SDK ABI " << sdk::kAbiVersion << ")\n";
    return EXIT_OK;
  }
  if (config_file_.empty()) config_file_ = CCM_DEFAULT_CONFIG;
  if (mode_ == "check-config") return checkConfig();
  if (mode_ == "list-plugins") return listPlugins();
  return serve();
}

namespace {

sdk::Result<GatewayConfig> loadWithExtraDirs(const std::string& file, const std::vector<std::string>& extra_dirs) {
  auto config = loadConfigFile(file, processEnvironment());
  if (config) {
    for (const auto& dir : extra_dirs) config.value().plugin_directories.emplace_back(dir);
  }
  return config;
}

}  // namespace

int GatewayApplication::checkConfig() {
  auto config = loadWithExtraDirs(config_file_, extra_plugin_dirs_);
  if (!config) {
    std::cerr << config.error().message << "\n";
    return EXIT_CONFIG;
  }
  auto catalog = loadPluginsFor(config.value());
  if (!catalog) {
    std::cerr << catalog.error().message << "\n";
    return EXIT_CONFIG;
  }
  if (auto tls = Gateway::tlsContextFor(config.value()); !tls) {
    std::cerr << tls.error().message << "\n";
    return EXIT_CONFIG;
  }
  // The API keys' hashes resolve (the issuer is not asked: it may be down now and up at start).
  if (const auto& auth = config.value().server.auth) {
    if (auto keys = ApiAuthenticator::create(*auth, nullptr); !keys) {
      std::cerr << locateInFile(keys.error(), config.value().file, config.value().value_lines).message << "\n";
      return EXIT_CONFIG;
    }
  }
  const auto& c = config.value();
  std::cout << config_file_ << ": configuration is valid (" << c.sinks.size() << " sink(s), " << c.sources.size()
            << " source(s), " << catalog.value()->plugins().size() << " plugin(s) loaded)\n";
  return EXIT_OK;
}

int GatewayApplication::listPlugins() {
  std::vector<std::filesystem::path> dirs;
  if (auto loaded = loadWithExtraDirs(config_file_, extra_plugin_dirs_)) {
    dirs = loaded.value().plugin_directories;
  } else if (config_given_ && extra_plugin_dirs_.empty()) {
    std::cerr << loaded.error().message << "\n";
    return EXIT_CONFIG;
  } else {
    // No usable config: list what an installed or a freshly built gateway has.
    dirs.assign(extra_plugin_dirs_.begin(), extra_plugin_dirs_.end());
    const auto beside = std::filesystem::path(config().getString("application.dir")) / ".." / "plugins";
    for (const auto& candidate : {defaultPluginDirectory(), beside}) {
      std::error_code ec;
      if (extra_plugin_dirs_.empty() && std::filesystem::is_directory(candidate, ec)) {
        dirs.push_back(std::filesystem::weakly_canonical(candidate, ec));
      }
    }
    if (dirs.empty()) {
      std::cerr << "no config at " << config_file_ << " and no plugin directory found; use --plugin-dir DIR\n";
      return EXIT_CONFIG;
    }
  }
  PluginCatalog catalog(dirs);
  catalog.scan();
  for (const auto& [name, plugin] : catalog.plugins()) {
    const auto& d = plugin.library->descriptor();
    std::cout << name << "\t" << pluginKindName(d.kind) << "\t" << d.version << "\t" << plugin.library->file().string()
              << "\t" << (d.description ? d.description : "") << "\n";
  }
  for (const auto& refusal : catalog.refusals()) std::cerr << "refused: " << refusal.message << "\n";
  return catalog.refusals().empty() ? EXIT_OK : EXIT_CONFIG;
}

int GatewayApplication::serve() {
  SignalWaiter signals;  // before any thread exists
  auto config = loadWithExtraDirs(config_file_, extra_plugin_dirs_);
  if (!config) {
    logWithFields(appLog(), sdk::LogLevel::Error, "invalid configuration", {{"error", config.error().message}});
    return EXIT_CONFIG;
  }
  configureJsonLogging(config.value().log_level);
  auto gateway = Gateway::create(std::move(config.value()));
  if (!gateway) {
    logWithFields(appLog(), sdk::LogLevel::Error, "cannot start", {{"error", gateway.error().message}});
    return EXIT_CONFIG;
  }
  gateway.value()->setExtraPluginDirectories({extra_plugin_dirs_.begin(), extra_plugin_dirs_.end()});
  if (auto started = gateway.value()->start(); !started) {
    logWithFields(appLog(), sdk::LogLevel::Error, "cannot start", {{"error", started.error().message}});
    return EXIT_UNAVAILABLE;
  }
  for (;;) {
    const int signo = signals.wait();
    if (signo == SIGHUP) {
      if (auto reloaded = gateway.value()->reload(); !reloaded) {
        logWithFields(appLog(), sdk::LogLevel::Error, "configuration reload refused; nothing changed",
                      {{"error", reloaded.error().message}});
      }
      continue;
    }
    logWithFields(appLog(), sdk::LogLevel::Info, "termination requested, shutting down",
                  {{"signal", std::to_string(signo)}});
    break;
  }
  gateway.value()->stop();
  return EXIT_OK;
}

}  // namespace ccm::core
