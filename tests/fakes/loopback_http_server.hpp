#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "fakes/cloudevents_receiver.hpp"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace ccm::fakes {

// The time a fake checks expiries and signatures against: real time until a
// test fixes it. Thread-safe.
class FakeClock {
public:
  // The epoch means real time again.
  void set(std::chrono::system_clock::time_point now) { fixed_.store(now.time_since_epoch().count()); }
  std::chrono::system_clock::time_point now() const {
    const auto fixed = fixed_.load();
    return fixed == 0 ? std::chrono::system_clock::now()
                      : std::chrono::system_clock::time_point(std::chrono::system_clock::duration(fixed));
  }

private:
  std::atomic<std::chrono::system_clock::rep> fixed_{0};
};

// A real Poco HTTP server on 127.0.0.1, on a port the OS picks, that answers
// every request with what `respond` returns: the transport under the fakes of
// cloud services, which decide the answers. Honours all of a Reply: status,
// headers, body, its delay (cut short, without an answer, when the server is
// destroyed) and drop_connection (a TCP reset). `respond` runs on the
// server's threads, concurrently.
class LoopbackHttpServer {
public:
  using Respond = std::function<Reply(ReceivedRequest request)>;

  // `port` 0 lets the OS pick; a port given again after the previous server
  // on it was destroyed brings "the same" server back.
  explicit LoopbackHttpServer(Respond respond, std::uint16_t port = 0);
  ~LoopbackHttpServer();
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>".
  std::string url(std::string_view path = "") const;

private:
  class Handler;
  class HandlerFactory;

  // Waits out a Reply's delay; false when the server is stopping.
  bool pause(std::chrono::milliseconds delay);

  Respond respond_;
  std::mutex mutex_;
  std::condition_variable stopping_changed_;
  bool stopping_ = false;
  std::uint16_t port_ = 0;
  std::unique_ptr<Poco::ThreadPool> threads_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace ccm::fakes
