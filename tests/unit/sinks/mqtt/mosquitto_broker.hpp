#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"

namespace ccm::testing {

// A real mosquitto broker for one test: a config in its own temporary
// folder, a plain anonymous listener on a free 127.0.0.1 port for test
// subscribers, and optionally a second listener for the sink under test with
// its own settings (password file, TLS). Started by the constructor; the
// process is killed with the object.
class MosquittoBroker {
public:
  static constexpr const char* kExecutable = "/usr/sbin/mosquitto";
  static constexpr const char* kPasswdTool = "/usr/bin/mosquitto_passwd";
  static bool installed();

  struct Options {
    std::string global{};  // lines before the listeners, e.g. "max_packet_size 2000"
    std::string acl{};     // non-empty: the plain listener's ACL file
    // Non-empty: the sink listener takes only these users (mosquitto_passwd).
    std::vector<std::pair<std::string, std::string>> users{};
    std::string sink_listener{};  // lines for the sink listener (e.g. TLS); non-empty or users: it exists
  };

  MosquittoBroker();
  explicit MosquittoBroker(Options options);
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  std::uint16_t port() const { return port_; }
  // The sink listener's port, or the plain one when there is none.
  std::uint16_t sinkPort() const { return sink_port_ != 0 ? sink_port_ : port_; }
  // A path in the broker's folder, for files its config names.
  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  // Stops the process (SIGTERM) and starts it again on the same ports.
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
  std::uint16_t sink_port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace ccm::testing
