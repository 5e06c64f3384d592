#include "nats_sink_config.hpp"

#include <charconv>
#include <stdexcept>

#include "common/config_object.hpp"

namespace ccm::sinks::nats {
namespace {

using common::ConfigObject;

// "nats://host[:port]" or "tls://host[:port]"; why not, or empty.
std::string urlProblem(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("nats://")) {
    rest = url.substr(7);
  } else if (url.starts_with("tls://")) {
    rest = url.substr(6);
  } else {
    return "must start with nats:// or tls://";
  }
  if (rest.find('@') != std::string_view::npos) {
    return "must not hold credentials (use \"user\" and \"password\" or \"token\")";
  }
  if (rest.find_first_of("/?# \t\r\n") != std::string_view::npos) return "must be scheme://host[:port] only";
  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with('[')) {  // [IPv6]:port
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return "has a '[' without ']'";
    host = rest.substr(0, close + 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return "must be scheme://host[:port] only";
      port = rest.substr(close + 2);
    }
  } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty() || host == "[]") return "has no host";
  if (rest.size() > host.size()) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      return "has a port that is not from 1 to 65535";
    }
  }
  return "";
}

std::vector<std::string> serversOf(const ConfigObject& config) {
  auto url = config.string("url");
  if (!url) throw config.error("url", "is required");
  std::vector<std::string> servers;
  std::string_view rest = *url;
  for (;;) {
    const std::size_t comma = rest.find(',');
    std::string_view one = rest.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (const std::string problem = urlProblem(one); !problem.empty()) {
      throw config.error("url", "\"" + std::string(one) + "\" " + problem);
    }
    servers.emplace_back(one);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return servers;
}

// At most one way to authenticate, each complete.
void readCredentials(const ConfigObject& config, const sdk::PluginContext& context, ConnectionSettings& out) {
  int ways = 0;
  for (const auto key : {"user", "token", "credentials_file", "nkey"}) ways += config.has(key) ? 1 : 0;
  if (ways > 1) {
    throw config.error(config.has("token")              ? "token"
                       : config.has("credentials_file") ? "credentials_file"
                                                        : "nkey",
                       "cannot be combined with another of \"user\", \"token\", \"credentials_file\" and \"nkey\"");
  }
  out.user = config.string("user").value_or("");
  if (config.has("password") && out.user.empty()) throw config.error("password", "needs \"user\"");
  out.password = config.secret("password", context.host);
  out.token = config.secret("token", context.host);
  out.credentials_file = config.readableFile("credentials_file").value_or("");
  out.nkey = config.string("nkey").value_or("");
  if (!out.nkey.empty() && (out.nkey.size() != 56 || out.nkey.front() != 'U')) {
    throw config.error("nkey", "must be a user's public NKey (56 characters starting with 'U')");
  }
  if (out.nkey.empty() != !config.has("nkey_seed")) {
    throw out.nkey.empty() ? config.error("nkey_seed", "needs \"nkey\"")
                           : config.error("nkey", "needs \"nkey_seed\" (the secret that signs the server's nonce)");
  }
  out.nkey_seed = config.secret("nkey_seed", context.host);
}

ConnectionSettings connectionOf(const ConfigObject& config, const sdk::PluginContext& context) {
  ConnectionSettings out;
  out.servers = serversOf(config);
  out.name = config.string("name").value_or("ccm-gateway " + context.instance_name);
  readCredentials(config, context, out);
  if (const auto tls = config.object("tls")) out.tls = tls->tlsOptions();
  if (auto ms = config.integer("connect_timeout_ms", 1, 600000)) out.connect_timeout = std::chrono::milliseconds(*ms);
  if (auto seconds = config.integer("ping_interval_seconds", 1, 3600)) {
    out.ping_interval = std::chrono::seconds(*seconds);
  }
  return out;
}

}  // namespace

NatsSinkConfig parseConfig(const sdk::PluginContext& context) {
  const ConfigObject config("nats", context.config_json);
  config.allowOnly({"url", "mode", "subject", "expected_stream", "name", "user", "password", "token",
                    "credentials_file", "nkey", "nkey_seed", "tls", "connect_timeout_ms", "ping_interval_seconds",
                    "timeout_ms", "max_batch_size"});
  NatsSinkConfig out;
  out.connection = connectionOf(config, context);
  out.mode = config.choice("mode", {"binary", "structured"}).value_or("binary") == "binary" ? ContentMode::Binary
                                                                                            : ContentMode::Structured;
  if (const auto subject = config.string("subject")) {
    try {
      out.subject = SubjectTemplate(*subject);
    } catch (const std::invalid_argument& e) {
      throw config.error("subject", e.what());
    }
  }
  out.expected_stream = config.string("expected_stream").value_or("");
  if (out.expected_stream.find_first_of(". \t\r\n*>/\\") != std::string::npos) {
    throw config.error("expected_stream", "must be a stream name (no '.', '*', '>', '/', '\\' or whitespace)");
  }
  if (auto ms = config.integer("timeout_ms", 1, 3600000)) out.timeout = std::chrono::milliseconds(*ms);
  if (auto size = config.integer("max_batch_size", 1, 100000)) out.max_batch_size = *size;
  return out;
}

}  // namespace ccm::sinks::nats
