#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/plugin.hpp"
#include "nats_message.hpp"

namespace ccm::sinks::nats {

// How the sink reaches its NATS servers and who it says it is.
struct ConnectionSettings {
  std::vector<std::string> servers;      // nats:// or tls:// URLs
  std::string name;                      // the client name in CONNECT
  std::string user;                      // empty: none
  std::optional<std::string> password;   // resolved secret; only with a user
  std::optional<std::string> token;      // resolved secret
  std::string credentials_file;          // a .creds file (user JWT and seed); empty: none
  std::string nkey;                      // the user's public NKey; empty: none
  std::optional<std::string> nkey_seed;  // resolved secret; with nkey
  std::optional<sdk::TlsOptions> tls;    // set: connect with TLS
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds ping_interval{20000};
};

// The instance's "config" object, checked; defaults match schema.json.
struct NatsSinkConfig {
  ConnectionSettings connection;
  ContentMode mode = ContentMode::Binary;
  SubjectTemplate subject{"ccm.events.{type}"};
  std::string expected_stream;               // empty: none
  std::chrono::milliseconds timeout{10000};  // from publish to its PubAck
  std::size_t max_batch_size = 100;
};

// Reads context.config_json; secrets are resolved through context.host.
// Throws std::invalid_argument naming the config key it cannot use.
NatsSinkConfig parseConfig(const sdk::PluginContext& context);

}  // namespace ccm::sinks::nats
