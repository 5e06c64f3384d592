#include "mosquitto_broker.hpp"

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "loopback_port.hpp"

namespace ccm::testing {

bool MosquittoBroker::installed() {
  return ::access(kExecutable, X_OK) == 0;
}

MosquittoBroker::MosquittoBroker() : MosquittoBroker(Options{}) {}

MosquittoBroker::MosquittoBroker(Options options) : options_(std::move(options)) {
  std::string pattern = (std::filesystem::temp_directory_path() / "ccm-mosquitto-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  port_ = freeLoopbackPort();
  if (!options_.sink_listener.empty() || !options_.users.empty()) sink_port_ = freeLoopbackPort();
  if (!options_.acl.empty()) std::ofstream(file("acl")) << options_.acl;
  for (std::size_t i = 0; i < options_.users.size(); ++i) {
    std::vector<std::string> argv = {kPasswdTool, "-b"};
    if (i == 0) argv.push_back("-c");
    argv.insert(argv.end(), {file("passwd"), options_.users[i].first, options_.users[i].second});
    const auto result = runCommand(argv);
    if (result.exit_code != 0) throw std::runtime_error("mosquitto_passwd failed: " + result.err);
  }
  start();
}

MosquittoBroker::~MosquittoBroker() {
  process_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void MosquittoBroker::writeConfig() const {
  std::ofstream config(file("mosquitto.conf"));
  // As root mosquitto would switch to its own user, which cannot read the
  // test's private folder.
  config << "user root\nper_listener_settings true\npersistence false\n"
         << "log_dest stderr\nlog_type error\nlog_type warning\n"
         << options_.global << "\n"
         << "listener " << port_ << " 127.0.0.1\nallow_anonymous true\n"
         << (options_.acl.empty() ? "" : "acl_file " + file("acl") + "\n");
  if (sink_port_ == 0) return;
  config << "listener " << sink_port_ << " 127.0.0.1\n" << options_.sink_listener << "\n";
  if (options_.users.empty()) {
    config << "allow_anonymous true\n";
  } else {
    config << "allow_anonymous false\npassword_file " << file("passwd") << "\n";
  }
}

void MosquittoBroker::start() {
  writeConfig();
  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{kExecutable, "-c", file("mosquitto.conf")});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!(acceptsConnections(port_) && (sink_port_ == 0 || acceptsConnections(sink_port_)))) {
    if (process_->waitForExit(std::chrono::milliseconds(0))) {
      process_->collectOutput();
      throw std::runtime_error("mosquitto exited: " + process_->stderrText());
    }
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("mosquitto did not start listening");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void MosquittoBroker::stop() {
  process_->signal(SIGTERM);
  if (!process_->waitForExit(std::chrono::seconds(10))) throw std::runtime_error("mosquitto did not stop");
  process_.reset();
}

void MosquittoBroker::pause() {
  process_->signal(SIGSTOP);
}

void MosquittoBroker::resume() {
  process_->signal(SIGCONT);
}

}  // namespace ccm::testing
