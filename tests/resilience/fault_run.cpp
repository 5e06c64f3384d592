#include "fault_run.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "ccm/sdk/codec.hpp"

namespace ccm::resilience {

using ccm::fakes::ReceivedRequest;
using ccm::fakes::Reply;

bool fullScale() {
  const char* value = std::getenv("CCM_RESILIENCE");
  return value != nullptr && std::string(value) == "full";
}

std::uint64_t residentKb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

RecordingSink::RecordingSink(bool keep_deliveries) : keep_deliveries_(keep_deliveries) {
  comeBack();
}

RecordingSink::~RecordingSink() {
  goDown();
}

std::string RecordingSink::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void RecordingSink::goDown() {
  server_.reset();
}

void RecordingSink::comeBack() {
  if (server_) return;
  server_ = std::make_unique<ccm::fakes::LoopbackHttpServer>(
      [this](ReceivedRequest request) { return respond(request); }, port_);
  port_ = server_->port();
}

void RecordingSink::setMode(Mode mode) {
  std::lock_guard lock(mutex_);
  mode_ = mode;
}

void RecordingSink::setDelay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  delay_ = delay;
}

Reply RecordingSink::respond(const ReceivedRequest& request) {
  auto events = ccm::sdk::parseHttp(request.headers, request.body);
  if (!events) return Reply{.status = 400, .body = events.error().message};
  std::lock_guard lock(mutex_);
  if (mode_ == Mode::Unavailable) {
    ++unavailable_;
    return Reply{.status = 503, .headers = {{"Retry-After", "0"}}, .delay = delay_};
  }
  // Counted when answered 200: a request cut short by a gateway kill after
  // this point was still acknowledged by the receiver, as a real one would.
  const auto now = Clock::now();
  for (const auto& event : events.value()) {
    ++counts_[event.id];
    ++acknowledged_;
    if (keep_deliveries_) deliveries_.push_back({event.id, event.subject.value_or(""), request.target, now});
  }
  return Reply{.status = 200, .delay = delay_};
}

std::vector<Delivery> RecordingSink::deliveries() const {
  std::lock_guard lock(mutex_);
  return deliveries_;
}

std::size_t RecordingSink::distinctIds() const {
  std::lock_guard lock(mutex_);
  return counts_.size();
}

std::size_t RecordingSink::acknowledged() const {
  std::lock_guard lock(mutex_);
  return acknowledged_;
}

std::size_t RecordingSink::unavailableAnswers() const {
  std::lock_guard lock(mutex_);
  return unavailable_;
}

std::size_t RecordingSink::countReceived(const std::vector<std::string>& ids) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(ids.begin(), ids.end(), [&](const auto& id) { return counts_.contains(id); }));
}

bool RecordingSink::received(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return counts_.contains(id);
}

Gateway::Gateway(std::filesystem::path config, std::vector<std::string> env)
    : config_(std::move(config)), env_(std::move(env)) {}

Gateway::~Gateway() {
  kill();
}

bool Gateway::start() {
  stopReading();
  std::lock_guard lock(mutex_);
  process_ = std::make_unique<ccm::testing::ChildProcess>(
      std::vector<std::string>{CCM_GATEWAY_EXECUTABLE, "--config", config_.string()}, env_);
  const auto port = ccm::testing::waitForListeningPort(*process_, std::chrono::seconds(60));
  port_ = port.value_or(0);
  reading_ = true;
  reader_ = std::thread([this] {
    while (reading_) {
      {
        std::lock_guard lock(mutex_);
        process_->collectOutput();
        process_->trimStderr(64 * 1024);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  return port.has_value();
}

void Gateway::stopReading() {
  reading_ = false;
  if (reader_.joinable()) reader_.join();
}

Clock::time_point Gateway::kill() {
  // The signal first: the reader may take a log read's time to stop, and the
  // kill's time bounds which duplicates a crash explains.
  auto signalled = Clock::now();
  {
    std::lock_guard lock(mutex_);
    if (process_) process_->signal(SIGKILL);
    signalled = Clock::now();
  }
  stopReading();
  std::lock_guard lock(mutex_);
  if (process_) process_->waitForExit(std::chrono::seconds(10));
  port_ = 0;
  return signalled;
}

bool Gateway::running() {
  std::lock_guard lock(mutex_);
  return process_ && !process_->waitForExit(std::chrono::milliseconds(0));
}

int Gateway::pid() const {
  std::lock_guard lock(mutex_);
  return process_ ? process_->pid() : -1;
}

std::uint64_t Gateway::residentKb() const {
  const int process = pid();
  return process > 0 ? resilience::residentKb(process) : 0;
}

std::string Gateway::log() const {
  std::lock_guard lock(mutex_);
  if (!process_) return {};
  process_->collectOutput();
  const auto& text = process_->stderrText();
  // The end is what explains a failure; the whole log of a loaded run is long.
  return text.size() > 8000 ? text.substr(text.size() - 8000) : text;
}

std::string gatewayConfig(const std::string& store, const std::string& sink_url, int batch_size, int concurrency,
                          const std::string& server_extra, const std::string& delivery_extra) {
  std::ostringstream config;
  config << R"({
  "server": {"host": "127.0.0.1", "port": 0)"
         << server_extra << R"(},
  "plugins": {"directories": [")"
         << CCM_PLUGIN_OUTPUT_DIR << R"("]},
  "store": )"
         << store << R"(,
  "engine": {"reconcile_interval_ms": 3600000},
  "ingress": {"unclaimed": "forward", "forward_auth": {"bearer_token": "env:CCM_RESILIENCE_SENDER_TOKEN"}},
  "sources": [],
  "sinks": [{"name": "out", "plugin": "http",
             "config": {"url": ")"
         << sink_url << R"(", "mode": "batch", "max_batch_size": )" << batch_size << R"(, "timeout_ms": 30000},
             "delivery": {"batch_size": )"
         << batch_size << R"(, "concurrency": )" << concurrency << R"(,
                          "retry": {"initial_backoff_ms": 20, "max_backoff_ms": 200, "max_attempts": 1000000},
                          "circuit_breaker": {"failure_threshold": 3, "open_ms": 200})"
         << delivery_extra << "}}]}";
  return config.str();
}

std::vector<std::string> gatewayEnv() {
  return {std::string("CCM_RESILIENCE_SENDER_TOKEN=") + kSenderToken};
}

void Targets::set(std::size_t index, std::uint16_t port) {
  std::lock_guard lock(mutex_);
  ports_.at(index) = port;
}

std::uint16_t Targets::pick(std::size_t attempt) const {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < ports_.size(); ++i) {
    const auto port = ports_[(attempt + i) % ports_.size()];
    if (port != 0) return port;
  }
  return 0;
}

Senders::Senders(Targets& targets, Options options) : targets_(targets), options_(options) {
  running_ = options_.clients;
  for (int client = 0; client < options_.clients; ++client) threads_.emplace_back([this, client] { run(client); });
}

Senders::~Senders() {
  stop();
}

void Senders::stop() {
  stopping_ = true;
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

SendFigures Senders::figures() const {
  std::lock_guard lock(mutex_);
  return figures_;
}

std::string loadBatch(const std::vector<std::string>& ids, int subjects) {
  std::string body = "[";
  for (const auto& id : ids) {
    // "c<client>-<n>": subject "s<client>-<n mod subjects>".
    const auto dash = id.find('-');
    const auto n = std::stoull(id.substr(dash + 1));
    body += (body.size() > 1 ? "," : "") +
            std::string(R"({"specversion": "1.0", "source": "urn:resilience", "type": "test.load", "id": ")") + id +
            R"(", "subject": "s)" + id.substr(1, dash - 1) + "-" +
            std::to_string(n % static_cast<std::size_t>(subjects)) + R"(", "data": {"n": )" + std::to_string(n) + "}}";
  }
  return body + "]";
}

ccm::testing::HttpReply postLoad(std::uint16_t port, const std::string& batch) {
  return ccm::testing::httpCall(port, "POST", "/api/v1/events", batch, "application/cloudevents-batch+json",
                                {{{"Authorization", std::string("Bearer ") + kSenderToken}}});
}

void Senders::run(int client) {
  std::size_t n = 0;
  std::size_t attempt = static_cast<std::size_t>(client);
  while (!stopping_ && (options_.limit == 0 || accepted_count_ < options_.limit)) {
    std::vector<std::string> ids;
    for (int i = 0; i < options_.batch; ++i, ++n) ids.push_back("c" + std::to_string(client) + "-" + std::to_string(n));
    const auto port = targets_.pick(attempt);
    int status = 0;
    if (port != 0) {
      try {
        status = postLoad(port, loadBatch(ids, options_.subjects)).status;
      } catch (const std::exception&) {
        status = 0;  // the connection died: the outcome is unknown
      }
    }
    {
      std::lock_guard lock(mutex_);
      if (status == 202) {
        figures_.accepted.insert(figures_.accepted.end(), ids.begin(), ids.end());
        accepted_count_ += ids.size();
      } else if (status == 503) {
        figures_.refused.insert(figures_.refused.end(), ids.begin(), ids.end());
        ++figures_.requests_503;
        ++requests_503_;
      } else if (status == 0) {
        if (port != 0) figures_.unknown += ids.size();
      } else {
        ++figures_.other_statuses[status];
      }
    }
    if (status != 202) {
      ++attempt;                                                   // another replica, if there is one
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // pacing, not synchronisation
    }
  }
  if (--running_ == 0) done_ = true;
}

DeliveryCheck checkDeliveries(const std::vector<std::string>& accepted, const std::vector<Delivery>& deliveries) {
  DeliveryCheck check;
  std::unordered_map<std::string, int> seen;
  std::unordered_map<std::string, long> last_n;  // per subject, n of the last first delivery
  std::set<std::string> out_of_order;
  for (const auto& delivery : deliveries) {
    if (seen[delivery.id]++ > 0) {
      ++check.duplicates;
      continue;
    }
    const long n = std::stol(delivery.id.substr(delivery.id.find('-') + 1));
    auto [it, fresh] = last_n.try_emplace(delivery.subject, n);
    if (!fresh) {
      if (n < it->second) out_of_order.insert(delivery.subject);
      it->second = std::max(it->second, n);
    }
  }
  for (const auto& id : accepted) {
    if (!seen.contains(id)) check.lost.push_back(id);
  }
  check.out_of_order.assign(out_of_order.begin(), out_of_order.end());
  return check;
}

DuplicateWindows duplicateWindows(const std::vector<Delivery>& deliveries,
                                  const std::vector<Clock::time_point>& kills) {
  DuplicateWindows windows;
  std::unordered_map<std::string, Clock::time_point> previous;
  for (const auto& delivery : deliveries) {
    auto [it, fresh] = previous.try_emplace(delivery.id, delivery.at);
    if (fresh) continue;
    const auto kill =
        std::find_if(kills.begin(), kills.end(), [&](auto at) { return at + kLateArrival >= it->second; });
    if (kill == kills.end() || *kill > delivery.at) {
      ++windows.unexplained;
    } else if (*kill > it->second) {
      windows.largest =
          std::max(windows.largest, std::chrono::duration_cast<std::chrono::milliseconds>(*kill - it->second));
    }
    it->second = delivery.at;
  }
  return windows;
}

void FaultRun::SetUp() {
  dir_ = std::filesystem::temp_directory_path() / ("ccm-resilience-" + std::to_string(::getpid()) + "-" +
                                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(dir_);
}

void FaultRun::TearDown() {
  std::filesystem::remove_all(dir_);
}

RunOutcome finishRun(Senders& senders, const RecordingSink& sink, std::chrono::seconds limit) {
  RunOutcome outcome;
  senders.stop();
  outcome.figures = senders.figures();
  const auto& accepted = outcome.figures.accepted;
  const auto started = Clock::now();
  outcome.drained = waitUntil(limit, [&] { return sink.countReceived(accepted) == accepted.size(); });
  outcome.drain = since(started);
  outcome.deliveries = sink.deliveries();
  outcome.check = checkDeliveries(accepted, outcome.deliveries);
  return outcome;
}

void expectNoneLostAndInOrder(const DeliveryCheck& check) {
  EXPECT_TRUE(check.lost.empty()) << check.lost.size() << " accepted events never arrived, first " << check.lost[0];
  EXPECT_TRUE(check.out_of_order.empty()) << "first subject out of order: " << check.out_of_order[0];
}

void printFigures(const std::string& run, const std::vector<std::pair<std::string, std::string>>& figures) {
  std::cout << "[fault run] " << run << ":";
  for (const auto& [key, value] : figures) std::cout << " " << key << "=" << value;
  std::cout << std::endl;
}

}  // namespace ccm::resilience
