#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/http_server.hpp"
#include "http/http_stream.hpp"

// The parts of the HTTP server behind http_server.hpp: I/O loops and the
// connections they own. Only the server's own files include this.
namespace ccm::core {

using HttpClock = std::chrono::steady_clock;

// What every loop and connection of one server reads; fixed once the server is built.
struct HttpServerSettings {
  HttpServer::Options options;
  HttpServer::BodyLimitFor body_limit;
  HttpServer::Handler handler;
  std::shared_ptr<std::atomic<std::size_t>> open_connections;
};

// One client connection (plain or TLS, http_connection.cpp). Every method
// runs on its loop's thread.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
public:
  virtual ~HttpConnection() = default;
  virtual void start() = 0;
  // The response to the request in hand; ignored when none is (the client left).
  virtual void respond(HttpResponse response) = 0;
  // Sends `head` as the start of a streamed response to the request in hand
  // (marks `state` closed when none is); then streamWrite() adds to its body
  // and streamEnd() finishes it and the connection.
  virtual void streamStart(HttpResponse head, std::shared_ptr<HttpStreamState> state) = 0;
  virtual void streamWrite(std::string bytes) = 0;
  virtual void streamEnd() = 0;
  // Closes what waited too long (the loop asks a few times a second).
  virtual void checkTimeout(HttpClock::time_point now) = 0;
  // Stopping: a connection with no request begun closes now.
  virtual void closeIfIdle() = 0;
  virtual bool requestInHand() const = 0;
  virtual void close() = 0;
  virtual HttpLoop& loop() = 0;
};

// One I/O thread: an io_context and the connections accepted onto it.
// Other threads reach it only through post().
class HttpLoop : public std::enable_shared_from_this<HttpLoop> {
public:
  explicit HttpLoop(std::shared_ptr<const HttpServerSettings> settings);
  ~HttpLoop();

  boost::asio::io_context& context() { return context_; }
  const HttpServerSettings& settings() const { return *settings_; }

  void start();
  // Runs `work` on the loop thread; false (and dropped) once the loop has ended.
  bool post(std::function<void()> work);
  // From any thread: idle connections close now, the others get until
  // `deadline`; then the thread ends. join() waits for it and says how many
  // requests were still in hand at the deadline.
  void requestStop(HttpClock::time_point deadline);
  std::size_t join();

  // Loop thread only.
  bool stopping() const { return stopping_; }
  void add(std::shared_ptr<HttpConnection> connection);
  void remove(HttpConnection* connection);

private:
  void run();
  void tick();
  void beginStop(HttpClock::time_point deadline);
  void cutOff();

  std::shared_ptr<const HttpServerSettings> settings_;
  boost::asio::io_context context_{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer deadline_timer_;
  std::unordered_map<HttpConnection*, std::shared_ptr<HttpConnection>> connections_;
  bool stopping_ = false;
  std::size_t unanswered_ = 0;
  std::thread thread_;

  std::mutex post_mutex_;
  bool ended_ = false;
};

// Starts serving a connection accepted onto `loop` (on the loop's thread):
// plain HTTP, or TLS with `tls` when it is set.
void startConnection(HttpLoop& loop, boost::asio::ip::tcp::socket socket,
                     std::shared_ptr<boost::asio::ssl::context> tls);

}  // namespace ccm::core
