#pragma once

// What the fault runs (tests/resilience) share: the real ccm-gateway started
// from a config the run writes, a sink that records what it acknowledged and
// can be down, answer 503 or be slow, concurrent senders that remember which
// events got 202, and the checks that compare the two against the bounds
// docs/delivery.md states.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "child_process.hpp"
#include "fakes/loopback_http_server.hpp"
#include "http_call.hpp"
#include "wait_until.hpp"

namespace ccm::resilience {

using Clock = std::chrono::steady_clock;

// CCM_RESILIENCE=full (make resilience) runs the long forms; anything else
// the short forms that run with every `make test`.
bool fullScale();
template <class T>
T scaled(T short_form, T full_form) {
  return fullScale() ? full_form : short_form;
}

// Kilobytes of resident memory of a process (VmRSS), 0 once it is gone.
std::uint64_t residentKb(int pid);

using ccm::testing::waitUntil;

// Events the receiver acknowledged with 2xx; `path` tells replicas apart
// (each replica's sink posts to its own path).
struct Delivery {
  std::string id;
  std::string subject;
  std::string path;
  Clock::time_point at;
};

// A CloudEvents receiver for the http sink in batch mode, on a port that
// stays the same while it goes down and comes back. Thread-safe.
class RecordingSink {
public:
  enum class Mode { Accept, Unavailable };

  // `keep_deliveries` false keeps only a count per id (enough for a backlog
  // of millions).
  explicit RecordingSink(bool keep_deliveries = true);
  ~RecordingSink();

  std::string url(const std::string& path) const;
  // Down: nothing listens (connections are refused); up: the same port again.
  void goDown();
  void comeBack();
  // Unavailable answers 503 with Retry-After: 0; the events do not count.
  void setMode(Mode mode);
  // Waits this long before answering each request.
  void setDelay(std::chrono::milliseconds delay);

  std::vector<Delivery> deliveries() const;
  // Distinct ids acknowledged, and acknowledgements in all.
  std::size_t distinctIds() const;
  std::size_t acknowledged() const;
  std::size_t unavailableAnswers() const;
  // How many of `ids` were acknowledged at least once.
  std::size_t countReceived(const std::vector<std::string>& ids) const;
  bool received(const std::string& id) const;

private:
  ccm::fakes::Reply respond(const ccm::fakes::ReceivedRequest& request);

  bool keep_deliveries_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  Mode mode_ = Mode::Accept;
  std::chrono::milliseconds delay_{0};
  std::vector<Delivery> deliveries_;
  std::unordered_map<std::string, int> counts_;
  std::size_t acknowledged_ = 0;
  std::size_t unavailable_ = 0;
  std::unique_ptr<ccm::fakes::LoopbackHttpServer> server_;
};

// One gateway process on a config file; restartable on the same config. Its
// logs are read all along (a gateway that cannot reach its store logs every
// refusal, and would block on a full pipe), the last 64 KiB kept.
class Gateway {
public:
  Gateway(std::filesystem::path config, std::vector<std::string> env);
  ~Gateway();
  // Starts (again); false with the log in `log()` when it did not listen.
  bool start();
  // SIGKILL, and reaps it; when the signal went.
  Clock::time_point kill();
  bool running();
  std::uint16_t port() const { return port_; }
  int pid() const;
  std::uint64_t residentKb() const;
  std::string log() const;

private:
  void stopReading();

  std::filesystem::path config_;
  std::vector<std::string> env_;
  mutable std::mutex mutex_;  // the process and its output
  std::unique_ptr<ccm::testing::ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::atomic<bool> reading_{false};
  std::thread reader_;
};

inline constexpr const char* kSenderToken = "resilience-sender-token";

// The gateway config of a fault run: forwarded events (the sender's bearer
// token kSenderToken), no sources, one http sink "out" in batch mode posting
// to `sink_url`. `store` is the "store" object, `server_extra` members added
// to "server" (with a leading comma), `delivery_extra` to the sink's "delivery".
std::string gatewayConfig(const std::string& store, const std::string& sink_url, int batch_size, int concurrency,
                          const std::string& server_extra = "", const std::string& delivery_extra = "");
std::vector<std::string> gatewayEnv();

// A batch of forwarded events with these ids ("c<client>-<n>"), as the
// senders below send it, and its POST with the sender's credentials.
std::string loadBatch(const std::vector<std::string>& ids, int subjects);
ccm::testing::HttpReply postLoad(std::uint16_t port, const std::string& batch);

// Where senders post: a set of gateway ports, any of which may be down (0).
class Targets {
public:
  explicit Targets(std::size_t count) : ports_(count) {}
  void set(std::size_t index, std::uint16_t port);
  // The port to try on a sender's `attempt`, skipping those that are down; 0 if all are.
  std::uint16_t pick(std::size_t attempt) const;

private:
  mutable std::mutex mutex_;
  std::vector<std::uint16_t> ports_;
};

// What the senders saw, by event id.
struct SendFigures {
  std::vector<std::string> accepted;  // answered 202
  std::vector<std::string> refused;   // answered 503 (nothing applied)
  std::size_t unknown = 0;            // no answer (the gateway died mid-request): either way is fine
  std::size_t requests_503 = 0;
  std::map<int, std::size_t> other_statuses;
};

// `clients` threads posting batches of `batch` forwarded events, each with a
// fresh id "c<client>-<n>", subject "s<client>-<n mod subjects>", until
// stop() or until `limit` events were accepted in all. Each sender waits for
// its answer before the next request, so a subject's events enter the log
// in the order of n.
class Senders {
public:
  struct Options {
    int clients = 4;
    int batch = 10;
    int subjects = 4;
    std::size_t limit = 0;  // 0: until stop()
  };
  Senders(Targets& targets, Options options);
  ~Senders();
  void stop();  // waits for the senders
  std::size_t acceptedSoFar() const { return accepted_count_.load(); }
  std::size_t requests503SoFar() const { return requests_503_.load(); }
  bool done() const { return done_.load(); }
  SendFigures figures() const;  // after stop()

private:
  void run(int client);

  Targets& targets_;
  Options options_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> done_{false};
  std::atomic<std::size_t> accepted_count_{0};
  std::atomic<std::size_t> requests_503_{0};
  std::atomic<int> running_{0};
  mutable std::mutex mutex_;
  SendFigures figures_;
  std::vector<std::thread> threads_;
};

// The checks every run makes on what was delivered.
struct DeliveryCheck {
  std::vector<std::string> lost;          // accepted, never acknowledged by the sink
  std::size_t duplicates = 0;             // acknowledgements beyond the first, per id
  std::vector<std::string> out_of_order;  // subjects whose first deliveries are not in send order
};
DeliveryCheck checkDeliveries(const std::vector<std::string>& accepted, const std::vector<Delivery>& deliveries);

// docs/delivery.md: a crash repeats only what was in flight or acknowledged in
// its last 20 ms. The rest allows for a loaded 2-core machine between the
// receiver's answer and the dispatcher reading it.
inline constexpr auto kCrashWindow = std::chrono::milliseconds(20 + 230);

// `kills` are the times the gateway was found dead after a SIGKILL. A
// request it sent just before can still be read by the receiver a moment
// later; this much is allowed for it.
inline constexpr auto kLateArrival = std::chrono::milliseconds(100);

// docs/delivery.md: a crash repeats only what was in flight or acknowledged in
// the last 20 ms before it. For each duplicated id, the time from its previous
// acknowledgement to the first kill after it; the largest is returned (zero
// without duplicates), and `unexplained` counts duplicates with no kill in between.
struct DuplicateWindows {
  std::chrono::milliseconds largest{0};
  std::size_t unexplained = 0;
};
DuplicateWindows duplicateWindows(const std::vector<Delivery>& deliveries, const std::vector<Clock::time_point>& kills);

// A fault run's temporary directory, created for the test and removed after it.
class FaultRun : public ::testing::Test {
protected:
  void SetUp() override;
  void TearDown() override;
  std::filesystem::path dir_;
};

// Milliseconds since `start`.
inline std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// The end of a run: the senders stopped, the sink given `limit` to receive
// every accepted event, and what it received checked.
struct RunOutcome {
  SendFigures figures;
  bool drained = false;
  std::chrono::milliseconds drain{0};
  std::vector<Delivery> deliveries;
  DeliveryCheck check;
};
RunOutcome finishRun(Senders& senders, const RecordingSink& sink, std::chrono::seconds limit);

// Every accepted event arrived, and each subject's in the order sent.
void expectNoneLostAndInOrder(const DeliveryCheck& check);

// Prints one "[fault run] name: key=value ..." line to stdout.
void printFigures(const std::string& run, const std::vector<std::pair<std::string, std::string>>& figures);

}  // namespace ccm::resilience
