#include "http/http_server.hpp"

#include <algorithm>
#include <future>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <Poco/Logger.h>

#include "http/http_loop.hpp"
#include "http/tls_context.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

Poco::Logger& httpLog() { return Poco::Logger::get("ccm.http"); }

}  // namespace

// The listening socket: accepts on the first loop's thread and hands each
// connection to the loops in turn, with the TLS context current at that moment.
class HttpListener {
public:
  HttpListener(const HttpServer::Options& options, std::vector<std::shared_ptr<HttpLoop>> loops,
               std::shared_ptr<std::atomic<std::size_t>> open_connections)
      : options_(options),
        loops_(std::move(loops)),
        open_connections_(std::move(open_connections)),
        acceptor_(loops_.front()->context()),
        pause_(loops_.front()->context()) {
    if (options_.tls) tls_ = makeServerTlsContext(*options_.tls);
    listen();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  // On the first loop's thread, once it runs.
  void start() {
    loops_.front()->post([this] { accept(); });
  }

  // From any thread: no connection is accepted once this returns.
  void close(bool loops_running) {
    if (!loops_running) return closeNow();
    std::promise<void> closed;
    if (loops_.front()->post([this, &closed] {
          closeNow();
          closed.set_value();
        })) {
      closed.get_future().wait();
    }
  }

  void useTls(std::shared_ptr<net::ssl::context> context) {
    if (!options_.tls) throw std::logic_error("the server was started without TLS (server.tls); restart to turn it on");
    std::lock_guard lock(tls_mutex_);
    tls_ = std::move(context);
  }

private:
  void listen() {
    const std::string where = options_.host + ":" + std::to_string(options_.port);
    tcp::resolver resolver(loops_.front()->context());
    boost::system::error_code error;
    auto results = resolver.resolve(options_.host, std::to_string(options_.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, error);
    if (error) throw std::runtime_error("cannot listen on " + where + ": " + error.message());
    // A name such as "localhost" gives IPv6 and IPv4 addresses; IPv4 first,
    // so that clients of 127.0.0.1 find it.
    std::vector<tcp::endpoint> endpoints;
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    std::stable_partition(endpoints.begin(), endpoints.end(), [](const auto& e) { return e.address().is_v4(); });
    std::string failure = "no address";
    for (const auto& endpoint : endpoints) {
      acceptor_.open(endpoint.protocol(), error);
      if (error) {
        failure = error.message();
        continue;
      }
      // SO_REUSEADDR only (restart while old connections are in TIME_WAIT);
      // never SO_REUSEPORT, which would let a second gateway share the port.
      acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
      if (!acceptor_.bind(endpoint, error) && !acceptor_.listen(1024, error)) return;
      failure = error.message();
      boost::system::error_code ignored;
      acceptor_.close(ignored);
    }
    throw std::runtime_error("cannot listen on " + where + ": " + failure);
  }

  std::shared_ptr<net::ssl::context> currentTls() {
    std::lock_guard lock(tls_mutex_);
    return tls_;
  }

  void accept() {
    auto& loop = loops_[next_loop_++ % loops_.size()];
    acceptor_.async_accept(loop->context(), [this, loop](const boost::system::error_code& error, tcp::socket socket) {
      if (!acceptor_.is_open()) return;
      if (error) return acceptFailed(error);
      adopt(*loop, std::move(socket));
      accept();
    });
  }

  void acceptFailed(const boost::system::error_code& error) {
    if (error == net::error::operation_aborted || error == net::error::connection_aborted ||
        error == net::error::interrupted || error == net::error::try_again) {
      return accept();
    }
    // Out of descriptors (EMFILE, ENFILE) or memory: pause accepting for a
    // second instead of spinning on the ready listener.
    logWithFields(httpLog(), sdk::LogLevel::Error, "cannot accept connections, pausing for 1 s",
                  {{"error", error.message()}});
    pause_.expires_after(1s);
    pause_.async_wait([this](const boost::system::error_code& cancelled) {
      if (!cancelled && acceptor_.is_open()) accept();
    });
  }

  void adopt(HttpLoop& loop, tcp::socket socket) {
    if (open_connections_->fetch_add(1) >= options_.max_connections) {
      open_connections_->fetch_sub(1);
      boost::system::error_code ignored;
      socket.close(ignored);
      if (options_.on_refused) options_.on_refused(0);
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_limit_warning_) {
        next_limit_warning_ = now + 10s;
        logWithFields(httpLog(), sdk::LogLevel::Warning, "connection refused: server.max_connections reached",
                      {{"max_connections", std::to_string(options_.max_connections)}});
      }
      return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto work = [&loop, socket = std::make_shared<tcp::socket>(std::move(socket)), tls = currentTls()]() mutable {
      startConnection(loop, std::move(*socket), std::move(tls));
    };
    if (!loop.post(std::move(work))) open_connections_->fetch_sub(1);
  }

  void closeNow() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    pause_.cancel();
  }

  const HttpServer::Options& options_;
  std::vector<std::shared_ptr<HttpLoop>> loops_;
  std::shared_ptr<std::atomic<std::size_t>> open_connections_;
  tcp::acceptor acceptor_;
  net::steady_timer pause_;
  std::size_t next_loop_ = 0;
  std::chrono::steady_clock::time_point next_limit_warning_{};
  std::mutex tls_mutex_;
  std::shared_ptr<net::ssl::context> tls_;
};

HttpResponder::HttpResponder(std::shared_ptr<HttpConnection> connection)
    : connection_(std::move(connection)), sent_(std::make_shared<std::atomic<bool>>(false)) {}

HttpResponder HttpResponder::observed(Observer observer) const {
  HttpResponder copy = *this;
  if (observer_) {
    copy.observer_ = std::make_shared<const Observer>([first = observer_, then = std::move(observer)](
                                                          const HttpResponse& response) {
      (*first)(response);
      then(response);
    });
  } else {
    copy.observer_ = std::make_shared<const Observer>(std::move(observer));
  }
  return copy;
}

void HttpResponder::send(HttpResponse response) const {
  if (sent_->exchange(true)) return;  // a handler that answered, then threw: its 500 must not follow
  if (observer_) (*observer_)(response);
  connection_->loop().post([connection = connection_, response = std::move(response)]() mutable {
    connection->respond(std::move(response));
  });
}

std::shared_ptr<HttpStream> HttpResponder::stream(HttpResponse head, std::size_t max_pending) const {
  auto state = std::make_shared<HttpStreamState>(max_pending);
  auto stream = std::make_shared<HttpStream>(connection_, state);
  if (sent_->exchange(true)) {
    state->closed = true;
    return stream;
  }
  if (observer_) (*observer_)(head);
  if (!connection_->loop().post([connection = connection_, head = std::move(head), state]() mutable {
        connection->streamStart(std::move(head), std::move(state));
      })) {
    state->closed = true;
  }
  return stream;
}

HttpServer::HttpServer(Options options, BodyLimitFor body_limit, Handler handler)
    : open_connections_(std::make_shared<std::atomic<std::size_t>>(0)) {
  auto settings = std::make_shared<HttpServerSettings>(
      HttpServerSettings{std::move(options), std::move(body_limit), std::move(handler), open_connections_});
  for (int i = 0; i < std::max(1, settings->options.io_threads); ++i) {
    loops_.push_back(std::make_shared<HttpLoop>(settings));
  }
  listener_ = std::make_unique<HttpListener>(settings->options, loops_, open_connections_);
  port_ = listener_->port();
}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

void HttpServer::start() {
  if (started_ || stopped_) return;
  started_ = true;
  for (auto& loop : loops_) loop->start();
  listener_->start();
}

std::size_t HttpServer::stop(std::chrono::milliseconds grace) {
  if (stopped_) return 0;
  stopped_ = true;
  listener_->close(started_);
  if (!started_) return 0;
  const auto deadline = HttpClock::now() + grace;
  for (auto& loop : loops_) loop->requestStop(deadline);
  std::size_t unanswered = 0;
  for (auto& loop : loops_) unanswered += loop->join();
  return unanswered;
}

void HttpServer::useTls(std::shared_ptr<net::ssl::context> context) { listener_->useTls(std::move(context)); }

}  // namespace ccm::core
