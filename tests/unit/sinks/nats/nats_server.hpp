#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "child_process.hpp"

namespace ccm::testing {

// A real nats-server with JetStream for one test: a config and a store
// folder in its own temporary folder, one client listener on a free
// 127.0.0.1 port. Started by the constructor; the process is killed with the
// object. Streams survive stop() and start() (the store folder stays).
class NatsServer {
public:
  static constexpr const char* kExecutable = "/usr/sbin/nats-server";
  static bool installed();

  struct Tls {
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    bool verify_clients = false;     // require a client certificate issued by ca_file
    std::string client_cert_file{};  // what test clients present
    std::string client_key_file{};
  };

  struct Options {
    // Non-empty: the body of the config's authorization block; test clients
    // then log in with client_user and client_password, or client_token.
    std::string authorization{};
    std::string client_user{};
    std::string client_password{};
    std::string client_token{};
    std::optional<Tls> tls{};
    std::string extra{};  // more config lines, e.g. "max_payload: 2048"
  };

  NatsServer();
  explicit NatsServer(Options options);
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  const Options& options() const { return options_; }

  // Stops the process (SIGTERM) and starts it again on the same port.
  void stop();
  void start();
  // SIGSTOP / SIGCONT: connections stay open and nothing is answered.
  void pause();
  void resume();

private:
  void writeConfig() const;

  Options options_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace ccm::testing
