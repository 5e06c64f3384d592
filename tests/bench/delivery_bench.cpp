// Delivery throughput and latency, printed as figures (not a timed test).
//
//   build/tests/bench/delivery_bench [events]
//
// For each http sink mode (binary, structured, batch): N events are committed
// to a fresh SQLite event log, then a dispatcher delivers them to a loopback
// receiver; prints events per second. Then, in batch mode, events are
// committed one per transaction at 1 000 events/s for 5 s while delivery runs,
// and the commit-to-acknowledgement latency p50/p99 is printed.
// Targets (issue 4): batch mode >= 100 k events/s; p99 < 10 ms at 1 000 events/s.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include "ccm/sdk/testing/fake_host.hpp"
#include "delivery/delivery_service.hpp"
#include "engine/lifecycle.hpp"
#include "domain/uuid.hpp"
#include "plugin/http_client.hpp"
#include "plugin/plugin_catalog.hpp"
#include "plugin/plugin_instance.hpp"
#include "store/open_store.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Counts events (ce-id headers, or members of a structured/batch body) and
// remembers when each arrived, for the latency run.
class CountingReceiver : public Poco::Net::HTTPRequestHandlerFactory {
public:
  std::atomic<std::size_t> events{0};
  std::mutex mutex;
  std::map<std::string, Clock::time_point> arrivals;  // by subject, latency run only
  bool record_arrivals = false;

  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(*this);
  }

private:
  class Handler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Handler(CountingReceiver& owner) : owner_(owner) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      std::string body;
      Poco::StreamCopier::copyToString(request.stream(), body);
      const auto now = Clock::now();
      std::size_t count = 1;
      if (request.getContentType().find("batch") != std::string::npos) {
        count = 0;
        for (std::size_t at = body.find("\"specversion\""); at != std::string::npos;
             at = body.find("\"specversion\"", at + 1)) {
          ++count;
          if (owner_.record_arrivals) {
            const auto s = body.find("\"subject\":\"", at) + 11;
            std::lock_guard lock(owner_.mutex);
            owner_.arrivals.emplace(body.substr(s, body.find('"', s) - s), now);
          }
        }
      }
      owner_.events += count;
      response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
      response.setContentLength(0);
      response.send();
    }

  private:
    CountingReceiver& owner_;
  };
};

struct Bench {
  fs::path dir;
  std::unique_ptr<ccm::core::Store> store;
  std::unique_ptr<ccm::core::PluginCatalog> catalog;
  ccm::sdk::testing::FakeHost host;
  ccm::core::MetricsRegistry metrics;
};

ccm::sdk::CloudEvent eventFor(std::size_t i) {
  ccm::sdk::CloudEvent event;
  event.id = ccm::core::newUuid();
  event.source = "urn:ccm-gateway:bench";
  event.type = "ccm.lablet.session.running";
  event.subject = "s-" + std::to_string(i);
  event.time = "2026-11-23T10:00:00.000Z";
  event.datacontenttype = "application/json";
  event.data = ccm::sdk::Data::json(R"({"session_id":"s-)" + std::to_string(i) +
                                    R"(","previous_state":"ready","new_state":"running","worker_id":"w-1"})");
  return event;
}

std::unique_ptr<ccm::core::Store> freshStore(const fs::path& dir) {
  fs::remove_all(dir);
  ccm::core::StoreConfig config;
  config.sqlite.path = dir / "bench.db";
  if (std::getenv("BENCH_SYNC_NORMAL")) config.sqlite.synchronous = ccm::core::SqliteSynchronous::Normal;
  auto store = ccm::core::openStore(config);
  if (!store) throw std::runtime_error(store.error().message);
  return std::move(store.value());
}

std::shared_ptr<ccm::sdk::Sink> httpSink(Bench& bench, const std::string& mode, std::uint16_t port) {
  const auto* plugin = bench.catalog->find("http");
  const std::string config = R"({"url": "http://127.0.0.1:)" + std::to_string(port) + R"(/", "mode": ")" + mode +
                             (mode == "batch" ? R"(", "max_batch_size": 1000})" : R"("})");
  auto sink = ccm::core::instantiate<ccm::sdk::Sink>(plugin->library, {"bench", config, "urn:x", "", bench.host});
  if (!sink) throw std::runtime_error(sink.error().message);
  return sink.value();
}

ccm::core::DeliverySettings settingsFor(const std::string& mode) {
  ccm::core::DeliverySettings settings;
  settings.batch_size = mode == "batch" ? 1000 : 200;
  settings.concurrency = mode == "batch" ? 2 : 4;
  return settings;
}

void throughput(Bench& bench, const std::string& mode, std::size_t count) {
  bench.store = freshStore(bench.dir);
  for (std::size_t done = 0; done < count;) {
    auto tx = bench.store->begin();
    for (std::size_t i = 0; i < 5000 && done < count; ++i, ++done) tx->appendEvent(eventFor(done));
    tx->commit();
  }
  CountingReceiver* receiver = new CountingReceiver;
  Poco::Net::HTTPServer server(receiver, Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                               new Poco::Net::HTTPServerParams);
  server.start();
  ccm::core::DeliveryService delivery(*bench.store, bench.metrics, "bench", std::chrono::seconds(5));
  const auto start = Clock::now();
  delivery.apply({{"bench", "http", "x", httpSink(bench, mode, server.port()), settingsFor(mode)}});
  while (receiver->events < count) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  delivery.stopAll();
  server.stop();
  std::printf("%-10s %8zu events in %6.2f s = %9.0f events/s\n", mode.c_str(), count, seconds, count / seconds);
}

void latency(Bench& bench) {
  bench.store = freshStore(bench.dir);
  CountingReceiver* receiver = new CountingReceiver;
  receiver->record_arrivals = true;
  Poco::Net::HTTPServer server(receiver, Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                               new Poco::Net::HTTPServerParams);
  server.start();
  ccm::core::DeliveryService delivery(*bench.store, bench.metrics, "bench", std::chrono::seconds(5));
  delivery.apply({{"bench", "http", "x", httpSink(bench, "batch", server.port()), settingsFor("batch")}});
  std::map<std::string, Clock::time_point> committed;
  const std::size_t total = 5000;
  auto next = Clock::now();
  for (std::size_t i = 0; i < total; ++i) {
    std::this_thread::sleep_until(next);
    next += std::chrono::milliseconds(1);
    auto event = eventFor(i);
    auto tx = bench.store->begin();
    tx->appendEvent(event);
    tx->commit();
    committed[*event.subject] = Clock::now();
    delivery.wakeAll();
  }
  while (receiver->events < total) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  delivery.stopAll();
  server.stop();
  std::vector<double> millis;
  for (const auto& [subject, at] : receiver->arrivals) {
    millis.push_back(std::chrono::duration<double, std::milli>(at - committed[subject]).count());
  }
  std::sort(millis.begin(), millis.end());
  std::printf("latency at 1000 events/s (batch): p50 %.2f ms, p99 %.2f ms, max %.2f ms over %zu events\n",
              millis[millis.size() / 2], millis[millis.size() * 99 / 100], millis.back(), millis.size());
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::stoul(argv[1]) : 100000;
  Bench bench;
  bench.dir = fs::temp_directory_path() / ("ccm-bench-" + std::to_string(::getpid()));
  bench.catalog = std::make_unique<ccm::core::PluginCatalog>(std::vector<fs::path>{CCM_PLUGIN_OUTPUT_DIR});
  bench.catalog->scan();
  bench.host.http_client_factory = [](const ccm::sdk::HttpClientOptions& options) {
    return std::make_unique<ccm::core::PooledHttpClient>(options);
  };
  try {
    for (const char* mode : {"binary", "structured", "batch"}) {
      throughput(bench, mode, std::string(mode) == "batch" ? count : count / 5);
    }
    latency(bench);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench failed: %s\n", e.what());
    return 1;
  }
  bench.store.reset();
  fs::remove_all(bench.dir);
  return 0;
}
