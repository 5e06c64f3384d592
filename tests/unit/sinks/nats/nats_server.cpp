#include "nats_server.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loopback_port.hpp"
#include "wait_until.hpp"

namespace ccm::testing {

bool NatsServer::installed() {
  return ::access(kExecutable, X_OK) == 0;
}

NatsServer::NatsServer() : NatsServer(Options{}) {}

NatsServer::NatsServer(Options options) : options_(std::move(options)) {
  std::string pattern = (std::filesystem::temp_directory_path() / "ccm-nats-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  port_ = freeLoopbackPort();
  start();
}

NatsServer::~NatsServer() {
  process_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void NatsServer::writeConfig() const {
  std::ofstream config(dir_ / "nats.conf");
  config << "listen: 127.0.0.1:" << port_ << "\n"
         << "jetstream {\n  store_dir: \"" << (dir_ / "jetstream").string() << "\"\n}\n";
  if (!options_.authorization.empty()) config << "authorization {\n" << options_.authorization << "\n}\n";
  if (const auto& tls = options_.tls) {
    config << "tls {\n  cert_file: \"" << tls->cert_file << "\"\n  key_file: \"" << tls->key_file << "\"\n  ca_file: \""
           << tls->ca_file << "\"\n  verify: " << (tls->verify_clients ? "true" : "false") << "\n}\n";
  }
  config << options_.extra << "\n";
}

void NatsServer::start() {
  writeConfig();
  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{kExecutable, "-c", (dir_ / "nats.conf").string()});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  // nats-server listens for clients once JetStream has loaded its streams.
  while (!acceptsConnections(port_)) {
    if (process_->waitForExit(std::chrono::milliseconds(0))) {
      process_->collectOutput();
      throw std::runtime_error("nats-server exited: " + process_->stderrText());
    }
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("nats-server did not start listening");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void NatsServer::stop() {
  process_->signal(SIGTERM);
  if (!process_->waitForExit(std::chrono::seconds(10))) throw std::runtime_error("nats-server did not stop");
  process_.reset();
}

namespace {

// Whether every thread of `pid` has stopped (state T in /proc): kill()
// returns before a SIGSTOP has reached threads running on another core,
// which could still answer a request sent right after it.
bool allThreadsStopped(int pid) {
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code error;
  bool any = false;
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto after_name = line.rfind(')');
    if (after_name == std::string::npos || after_name + 2 >= line.size()) return false;
    if (line[after_name + 2] != 'T' && line[after_name + 2] != 't') return false;
    any = true;
  }
  return any && !error;
}

}  // namespace

void NatsServer::pause() {
  process_->signal(SIGSTOP);
  if (!waitUntil(std::chrono::seconds(5), [&] { return allThreadsStopped(process_->pid()); })) {
    throw std::runtime_error("nats-server did not stop on SIGSTOP");
  }
}

void NatsServer::resume() {
  process_->signal(SIGCONT);
}

}  // namespace ccm::testing
