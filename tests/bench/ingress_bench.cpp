// Durable ingest throughput and latency, printed as figures (not a timed test).
//
//   build/tests/bench/ingress_bench [seconds per load, 5] [rounds, 3]
//
// Starts the real ccm-gateway (SQLite, synchronous=FULL, unclaimed types
// forwarded to the event log, so every 202 follows an fsynced commit) and a
// reference: a bare Poco HTTPServer in this process that only parses the JSON
// and answers 202. 64 keep-alive connections post ~400-byte structured events
// to each in turn; then batch ingest (100 events a request) to the gateway.
// After a short warm-up (printed, not counted) each round runs the three
// loads; the medians over the rounds are printed.
// Targets (issue 5): >= 70 % of the reference's rate; batch >= 100 k events/s.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <rapidjson/document.h>

#include "child_process.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr int kConnections = 64;

// The reference: parse and acknowledge, nothing durable.
class ParseOnly : public Poco::Net::HTTPRequestHandlerFactory {
  class Handler : public Poco::Net::HTTPRequestHandler {
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      std::string body;
      Poco::StreamCopier::copyToString(request.stream(), body);
      rapidjson::Document doc;
      doc.Parse(body.c_str(), body.size());
      response.setStatus(doc.HasParseError() ? Poco::Net::HTTPResponse::HTTP_BAD_REQUEST
                                             : Poco::Net::HTTPResponse::HTTP_ACCEPTED);
      response.setContentLength(0);
      response.send();
    }
  };

public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler;
  }
};

// Appends one ~400-byte structured event; built in place, so that the load
// generator's own cost (it shares the cores) stays small.
void appendEvent(std::string& out, std::size_t n) {
  const std::string id = std::to_string(n);
  out.append(R"({"specversion":"1.0","id":"bench-)").append(id);
  out.append(R"(","source":"urn:bench:sender","type":"bench.event","subject":"s-)").append(id);
  out.append(R"(","time":"2026-11-23T10:00:00Z","datacontenttype":"application/json","data":{"lablet_session_id":"s-)");
  out.append(id).append(
      R"(","user_session_id":"u-1","note":"padding padding padding padding padding padding padding padding padding"}})");
}

struct Result {
  double events_per_second;
  double p50_ms;
  double p99_ms;
};

Result load(std::uint16_t port, std::chrono::seconds duration, std::size_t per_request) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> accepted{0};
  std::vector<std::vector<double>> latencies(kConnections);
  const auto until = Clock::now() + duration;
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < kConnections; ++c) {
    threads.emplace_back([&, c] {
      Poco::Net::HTTPClientSession session("127.0.0.1", port);
      session.setKeepAlive(true);
      std::string body;
      std::string reply;
      while (Clock::now() < until) {
        body.clear();
        const std::size_t first = next.fetch_add(per_request);
        if (per_request == 1) {
          appendEvent(body, first);
        } else {
          body += '[';
          for (std::size_t i = 0; i < per_request; ++i) {
            if (i > 0) body += ',';
            appendEvent(body, first + i);
          }
          body += ']';
        }
        Poco::Net::HTTPRequest request("POST", "/api/v1/events", Poco::Net::HTTPMessage::HTTP_1_1);
        request.setKeepAlive(true);
        request.setContentType(per_request == 1 ? "application/cloudevents+json" : "application/cloudevents-batch+json");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        const auto sent = Clock::now();
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        reply.clear();
        Poco::StreamCopier::copyToString(session.receiveResponse(response), reply);
        latencies[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        if (response.getStatus() == Poco::Net::HTTPResponse::HTTP_ACCEPTED) accepted += per_request;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  return {accepted / seconds, all[all.size() / 2], all[all.size() * 99 / 100]};
}

}  // namespace

std::uint16_t freePort() {
  Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
  return probe.address().port();
}

// Each figure's median on its own.
Result median(std::vector<Result> results) {
  const auto middle = [&results](double Result::*field) {
    std::vector<double> values;
    for (const auto& r : results) values.push_back(r.*field);
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  };
  return {middle(&Result::events_per_second), middle(&Result::p50_ms), middle(&Result::p99_ms)};
}

void print(const char* name, const Result& r) {
  std::printf("%-34s %9.0f events/s   p50 %6.2f ms   p99 %6.2f ms\n", name, r.events_per_second, r.p50_ms, r.p99_ms);
}

int main(int argc, char** argv) {
  const std::chrono::seconds duration(argc > 1 ? std::stoi(argv[1]) : 5);
  const int rounds = std::max(1, argc > 2 ? std::stoi(argv[2]) : 3);
  const fs::path dir = fs::temp_directory_path() / ("ccm-ingress-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::uint16_t port = freePort();
  // Logging at warning: the bench reads no log lines, and a chatty child
  // would fill the pipe.
  std::ofstream(dir / "gateway.json") << R"({"server": {"host": "127.0.0.1", "port": )" << port
                                      << R"(},
    "plugins": {"directories": [")" << CCM_PLUGIN_OUTPUT_DIR << R"("]},
    "store": {"sqlite": {"path": ")" << (dir / "gw.db").string() << R"(", "synchronous": "full"}},
    "ingress": {"unclaimed": "forward"}, "sinks": [], "logging": {"level": "warning"}})";
  ccm::testing::ChildProcess gateway({CCM_GATEWAY_EXECUTABLE, "--config", (dir / "gateway.json").string()});
  for (int attempt = 0;; ++attempt) {
    try {
      Poco::Net::HTTPClientSession session("127.0.0.1", port);
      Poco::Net::HTTPRequest request("GET", "/readyz", Poco::Net::HTTPMessage::HTTP_1_1);
      session.sendRequest(request);
      Poco::Net::HTTPResponse response;
      session.receiveResponse(response);
      if (response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) break;
    } catch (const Poco::Exception&) {
    }
    if (attempt > 300 || gateway.waitForExit(std::chrono::milliseconds(100))) {
      std::fprintf(stderr, "gateway did not start: %s\n", gateway.stderrText().c_str());
      return 1;
    }
  }

  auto* reference_factory = new ParseOnly;
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(64);
  Poco::Net::HTTPServer reference(reference_factory, Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                                  params);
  reference.start();

  // Warm-up, not counted: the first seconds of a new database run slower
  // (SQLite's log and database files still grow, caches are cold).
  {
    const auto warm = std::chrono::seconds(2);
    const auto reference_warm = load(reference.port(), warm, 1);
    const auto single_warm = load(port, warm, 1);
    const auto batch_warm = load(port, warm, 100);
    std::printf("warm-up (not counted): reference %.0f, durable %.0f, batch %.0f events/s\n",
                reference_warm.events_per_second, single_warm.events_per_second, batch_warm.events_per_second);
  }
  // Rounds alternate the three loads, so that a machine whose speed drifts
  // (a shared VM) is compared with itself; the medians are the figures.
  std::vector<Result> bare;
  std::vector<Result> durable;
  std::vector<Result> batch;
  std::vector<double> ratios;
  for (int round = 1; round <= rounds; ++round) {
    bare.push_back(load(reference.port(), duration, 1));
    durable.push_back(load(port, duration, 1));
    batch.push_back(load(port, duration, 100));
    ratios.push_back(100.0 * durable.back().events_per_second / bare.back().events_per_second);
    std::printf("round %d: reference %.0f, durable %.0f (%.0f %%), batch %.0f events/s\n", round,
                bare.back().events_per_second, durable.back().events_per_second, ratios.back(),
                batch.back().events_per_second);
  }
  reference.stop();
  std::printf("medians of %d rounds of %lld s per load:\n", rounds, static_cast<long long>(duration.count()));
  print("reference (parse + 202)", median(bare));
  print("gateway, durable, 1 event/request", median(durable));
  print("gateway, durable, 100 events/request", median(batch));
  std::sort(ratios.begin(), ratios.end());
  std::printf("durable / reference: %.0f %% (target >= 70 %%); batch target >= 100000 events/s\n",
              ratios[ratios.size() / 2]);
  gateway.signal(SIGTERM);
  gateway.waitForExit(std::chrono::seconds(20));
  fs::remove_all(dir);
  return 0;
}
