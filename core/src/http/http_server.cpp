#include "http/http_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <Poco/Logger.h>

#include "observability/json_log.hpp"

namespace ccm::core {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::uint64_t kListenerId = 0;
constexpr std::uint64_t kWakeId = 1;
constexpr std::size_t kReadChunk = 64 * 1024;
// While a request is in hand, more input is read only up to this much
// (pipelined requests), so a client cannot make the server buffer without end.
constexpr std::size_t kMaxBufferedInput = 256 * 1024;
// After a response that closes the connection the write side is shut and
// input is read and dropped for a while: closing with unread input would
// reset the connection, and the client could lose the response.
constexpr std::size_t kLingerDiscardBytes = 4 << 20;
constexpr auto kLingerTime = 2s;
constexpr auto kTick = 250ms;

Poco::Logger& httpLog() { return Poco::Logger::get("ccm.http"); }

std::string errnoText() { return std::strerror(errno); }

struct Connection {
  Connection(int fd, std::uint64_t id, std::size_t max_head_bytes, const RequestParser::BodyLimit& body_limit)
      : fd(fd), id(id), parser(max_head_bytes, body_limit) {}
  int fd;
  std::uint64_t id;
  RequestParser parser;
  std::string in;
  std::string out;
  std::size_t out_sent = 0;
  bool in_hand = false;  // handed to the handler, not answered yet
  bool continue_sent = false;
  bool close_after_write = false;
  bool peer_closed = false;  // the client shut its side; answer what is in hand, then close
  bool read_paused = false;  // input may be left in the socket (edge-triggered: read it on resuming)
  bool hangup_seen = false;  // epoll reported the peer's close or an error: read to the end
  bool lingering = false;
  std::size_t discarded = 0;
  Clock::time_point since;  // when the current phase began (idle, receiving, writing, lingering)
};

}  // namespace

// One epoll loop and the connections it owns. Other threads reach it only
// through post() (responses) and requestStop().
class HttpLoop : public std::enable_shared_from_this<HttpLoop> {
public:
  HttpLoop(const HttpServer::Options& options, int listen_fd, RequestParser::BodyLimit body_limit,
           HttpServer::Handler handler, std::shared_ptr<std::atomic<std::size_t>> open_connections)
      : options_(options),
        listen_fd_(listen_fd),
        body_limit_(std::move(body_limit)),
        handler_(std::move(handler)),
        open_connections_(std::move(open_connections)) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) throw std::runtime_error("cannot create an event loop: " + errnoText());
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.u64 = kWakeId;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake);
    watchListener();
  }

  ~HttpLoop() {
    closeAll();
    ::close(wake_fd_);
    ::close(epoll_fd_);
  }

  void start() {
    thread_ = std::thread([this] { run(); });
  }

  void post(std::uint64_t connection, std::string bytes, bool keep_alive) {
    std::lock_guard lock(mailbox_mutex_);
    if (exited_) return;
    mailbox_.push_back({connection, std::move(bytes), keep_alive});
    // The loop drains its mailbox after every round of events, so a post
    // from its own thread needs no wake-up.
    if (current_ != this && !wake_pending_) {
      wake_pending_ = true;
      const std::uint64_t one = 1;
      [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
    }
  }

  void requestStop(Clock::time_point deadline) {
    {
      std::lock_guard lock(mailbox_mutex_);
      deadline_ = deadline;
      stopping_ = true;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
  }

  // Waits for the loop to end; how many requests it left unanswered.
  std::size_t join() {
    if (thread_.joinable()) thread_.join();
    return unanswered_;
  }

  bool stopping() const { return stopping_; }

private:
  struct Posted {
    std::uint64_t connection;
    std::string bytes;
    bool keep_alive;
  };

  void watchListener() {
    epoll_event listen{};
    // Every loop watches the listening socket; EPOLLEXCLUSIVE wakes one of
    // them per new connection instead of all.
    listen.events = EPOLLIN | EPOLLEXCLUSIVE;
    listen.data.u64 = kListenerId;
    listening_ = ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listen) == 0;
  }

  void unwatchListener() {
    if (listening_) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    listening_ = false;
  }

  void run() {
    current_ = this;
    epoll_event events[256];
    auto last_tick = Clock::now();
    bool stop_seen = false;
    while (true) {
      const int ready = ::epoll_wait(epoll_fd_, events, 256, static_cast<int>(kTick.count()));
      now_ = Clock::now();
      for (int i = 0; i < ready; ++i) {
        const auto id = events[i].data.u64;
        if (id == kListenerId) {
          acceptAll();
        } else if (id == kWakeId) {
          std::uint64_t count;
          [[maybe_unused]] auto read = ::read(wake_fd_, &count, sizeof count);
        } else if (auto it = connections_.find(id); it != connections_.end()) {
          onEvent(*it->second, events[i].events);
        }
      }
      drainMailbox();
      if (stopping_ && !stop_seen) {
        stop_seen = true;
        beginStop();
      }
      if (now_ - last_tick >= kTick) {
        last_tick = now_;
        checkTimeouts();
        if (!listening_ && !stopping_ && now_ >= accept_resume_) watchListener();
      }
      if (stop_seen && (connections_.empty() || now_ >= deadline_)) break;
    }
    for (auto& [id, connection] : connections_) {
      if (connection->in_hand) ++unanswered_;
    }
    closeAll();
    std::lock_guard lock(mailbox_mutex_);
    exited_ = true;
    mailbox_.clear();
  }

  void closeAll() {
    for (auto& [id, connection] : connections_) {
      ::close(connection->fd);
      open_connections_->fetch_sub(1);
    }
    connections_.clear();
  }

  void acceptAll() {
    for (int accepted = 0; accepted < 64; ++accepted) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (stopping_ || errno == EINVAL) return;  // the listener was shut by stop()
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) return;
        // Out of descriptors (EMFILE, ENFILE) or memory: pause accepting
        // for a second instead of spinning on the ready listener.
        logWithFields(httpLog(), sdk::LogLevel::Error, "cannot accept connections, pausing for 1 s",
                      {{"error", errnoText()}});
        unwatchListener();
        accept_resume_ = now_ + 1s;
        return;
      }
      if (open_connections_->fetch_add(1) >= options_.max_connections) {
        open_connections_->fetch_sub(1);
        ::close(fd);
        refused(0);
        if (now_ >= next_limit_warning_) {
          next_limit_warning_ = now_ + 10s;
          logWithFields(httpLog(), sdk::LogLevel::Warning, "connection refused: server.max_connections reached",
                        {{"max_connections", std::to_string(options_.max_connections)}});
        }
        continue;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      const std::uint64_t id = next_id_++;
      auto connection = std::make_unique<Connection>(fd, id, options_.max_head_bytes, body_limit_);
      connection->since = now_;
      epoll_event event{};
      event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      event.data.u64 = id;
      if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
        ::close(fd);
        open_connections_->fetch_sub(1);
        continue;
      }
      connections_.emplace(id, std::move(connection));
    }
  }

  void refused(int status) {
    if (options_.on_refused) options_.on_refused(status);
  }

  // The server's own answer to a request it cannot take; the connection
  // closes after it.
  void refuseAndClose(Connection& c, int status, const std::string& detail) {
    refused(status);
    c.close_after_write = true;
    c.out = serializeResponse(problemResponse(status, detail), 1, false, false, httpDate());
    c.since = now_;
    flush(c);
  }

  void onEvent(Connection& c, std::uint32_t events) {
    const std::uint64_t id = c.id;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
      // Short reads mean the socket is drained, unless the peer also closed
      // or failed: then read on to see the end (now, or when reading resumes).
      if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c.hangup_seen = true;
      if (!readAvailable(c, c.hangup_seen)) return;
      if (c.lingering) return;
      process(c);
      if (!connections_.contains(id)) return;
    }
    if ((events & EPOLLOUT) && !c.out.empty()) flush(c);
  }

  // Reads what the socket holds; false when the connection was closed.
  bool readAvailable(Connection& c, bool to_the_end) {
    char buffer[kReadChunk];
    while (true) {
      if (!c.lingering && (c.in_hand || !c.out.empty()) && c.in.size() >= kMaxBufferedInput) {
        c.read_paused = true;
        return true;
      }
      const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        if (c.lingering) {
          c.discarded += static_cast<std::size_t>(n);
          if (c.discarded > kLingerDiscardBytes) return closeConnection(c);
        } else {
          if (c.in.empty() && !c.in_hand && c.out.empty() && !c.parser.started()) c.since = now_;
          c.in.append(buffer, static_cast<std::size_t>(n));
        }
        if (static_cast<std::size_t>(n) < sizeof buffer && !to_the_end) {
          c.read_paused = false;
          return true;
        }
        continue;
      }
      if (n == 0) {
        c.peer_closed = true;
        c.read_paused = false;
        // With a request in hand (or a response going out) the answer is
        // still sent: the client may only have shut its sending side.
        if (c.lingering || (!c.in_hand && c.out.empty() && !requestBuffered(c))) return closeConnection(c);
        return true;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        c.read_paused = false;
        return true;
      }
      return closeConnection(c);
    }
  }

  // Whether the buffered input may still hold a request to answer.
  static bool requestBuffered(const Connection& c) { return !c.in.empty(); }

  // Takes the next request from the input, when none is in hand.
  void process(Connection& c) {
    while (!c.in_hand && c.out.empty() && !c.lingering) {
      switch (c.parser.parse(c.in)) {
        case RequestParser::Progress::Complete: {
          HttpRequest request = c.parser.take();
          c.in_hand = true;
          c.continue_sent = false;
          dispatch(c, std::move(request));
          return;
        }
        case RequestParser::Progress::NeedMore:
          if (c.peer_closed) {
            closeConnection(c);  // the client left in the middle of a request
            return;
          }
          if (c.parser.awaitsContinue() && !c.continue_sent) {
            c.continue_sent = true;
            c.out = "HTTP/1.1 100 Continue\r\n\r\n";
            flush(c);
          }
          return;
        case RequestParser::Progress::Failed:
          // The framing is lost: answer and close.
          c.in.clear();
          refuseAndClose(c, c.parser.failure().status, c.parser.failure().detail);
          return;
      }
    }
  }

  void dispatch(Connection& c, HttpRequest request) {
    // A client that shut its sending side still gets every request it sent
    // answered; the connection closes once the input holds no more.
    const bool keep_alive = request.keepAlive() && !stopping_;
    HttpResponder responder(shared_from_this(), c.id, request.minor_version, keep_alive, request.method == "HEAD");
    try {
      handler_(std::move(request), responder);
    } catch (const std::exception& e) {
      failed(responder, e.what());
    } catch (...) {
      failed(responder, "unknown error");
    }
  }

  static void failed(const HttpResponder& responder, const std::string& error) {
    logWithFields(httpLog(), sdk::LogLevel::Error, "request handler failed", {{"error", error}});
    auto response = problemResponse(500, error);
    response.close = true;
    responder.send(std::move(response));
  }

  // Until it stays empty: answering one request may start the next one
  // (pipelining), whose handler may answer at once, from this thread.
  void drainMailbox() {
    std::vector<Posted> posted;
    while (true) {
      {
        std::lock_guard lock(mailbox_mutex_);
        posted.swap(mailbox_);
        wake_pending_ = false;
      }
      if (posted.empty()) return;
      answer(posted);
      posted.clear();
    }
  }

  void answer(std::vector<Posted>& posted) {
    for (auto& item : posted) {
      auto it = connections_.find(item.connection);
      if (it == connections_.end()) continue;  // the client went away
      Connection& c = *it->second;
      if (!c.in_hand) continue;  // not awaiting an answer (cannot happen: each responder sends once)
      c.in_hand = false;
      c.close_after_write = !item.keep_alive;
      c.out = std::move(item.bytes);
      c.out_sent = 0;
      c.since = now_;
      flush(c);
    }
  }

  void flush(Connection& c) {
    while (c.out_sent < c.out.size()) {
      const ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
      if (n >= 0) {
        c.out_sent += static_cast<std::size_t>(n);
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return;  // EPOLLOUT resumes
      } else {
        closeConnection(c);
        return;
      }
    }
    c.out.clear();
    c.out_sent = 0;
    c.since = now_;
    if (c.close_after_write) return linger(c);
    if (stopping_ && !c.parser.started() && c.in.empty()) return linger(c);
    if (c.read_paused && !readAvailable(c, c.hangup_seen)) return;
    process(c);
  }

  void linger(Connection& c) {
    ::shutdown(c.fd, SHUT_WR);
    c.lingering = true;
    c.in.clear();
    c.since = now_;
    if (c.peer_closed) closeConnection(c);
    else readAvailable(c, true);
  }

  bool closeConnection(Connection& c) {
    ::close(c.fd);  // also removes it from the epoll set
    open_connections_->fetch_sub(1);
    connections_.erase(c.id);  // destroys c
    return false;
  }

  // Idle connections close now; a request still arriving may finish (and
  // is answered with Connection: close) until the deadline.
  void beginStop() {
    unwatchListener();
    std::vector<Connection*> idle;
    for (auto& [id, connection] : connections_) {
      const Connection& c = *connection;
      if (!c.in_hand && c.out.empty() && !c.lingering && !c.parser.started() && c.in.empty()) {
        idle.push_back(connection.get());
      }
    }
    for (auto* connection : idle) closeConnection(*connection);
  }

  void checkTimeouts() {
    std::vector<Connection*> expired;
    std::vector<Connection*> too_slow;
    for (auto& [id, connection] : connections_) {
      Connection& c = *connection;
      const auto age = now_ - c.since;
      if (c.in_hand) continue;  // the handler answers; stop() bounds it
      if (c.lingering) {
        if (age >= kLingerTime) expired.push_back(&c);
      } else if (!c.out.empty()) {
        if (age >= options_.request_timeout) expired.push_back(&c);  // the client does not read
      } else if (c.parser.started() || !c.in.empty()) {
        if (age >= options_.request_timeout) too_slow.push_back(&c);
      } else if (age >= options_.keep_alive_timeout) {
        expired.push_back(&c);
      }
    }
    for (auto* c : expired) closeConnection(*c);
    for (auto* c : too_slow) {
      refuseAndClose(*c, 408,
                     "the request did not arrive within " + std::to_string(options_.request_timeout.count()) + " ms");
    }
  }

  const HttpServer::Options options_;
  int listen_fd_;
  RequestParser::BodyLimit body_limit_;
  HttpServer::Handler handler_;
  std::shared_ptr<std::atomic<std::size_t>> open_connections_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool listening_ = false;
  std::thread thread_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::uint64_t next_id_ = 2;
  Clock::time_point now_ = Clock::now();
  Clock::time_point accept_resume_{};
  Clock::time_point next_limit_warning_{};
  std::size_t unanswered_ = 0;

  std::mutex mailbox_mutex_;
  std::vector<Posted> mailbox_;
  bool wake_pending_ = false;
  bool exited_ = false;
  std::atomic<bool> stopping_{false};
  Clock::time_point deadline_{};

  static thread_local HttpLoop* current_;
};

thread_local HttpLoop* HttpLoop::current_ = nullptr;

HttpResponder::HttpResponder(std::shared_ptr<HttpLoop> loop, std::uint64_t connection, int minor_version,
                             bool keep_alive, bool head)
    : loop_(std::move(loop)),
      connection_(connection),
      minor_version_(minor_version),
      keep_alive_(keep_alive),
      head_(head),
      sent_(std::make_shared<std::atomic<bool>>(false)) {}

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
  const bool keep_alive = keep_alive_ && !response.close && !loop_->stopping();
  loop_->post(connection_, serializeResponse(response, minor_version_, keep_alive, head_, httpDate()), keep_alive);
}

HttpServer::HttpServer(Options options, RequestParser::BodyLimit body_limit, Handler handler)
    : options_(std::move(options)) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  if (const int error = ::getaddrinfo(options_.host.c_str(), std::to_string(options_.port).c_str(), &hints, &found);
      error != 0) {
    throw std::runtime_error("cannot listen on " + where + ": " + ::gai_strerror(error));
  }
  // A name such as "localhost" gives IPv6 and IPv4 addresses; IPv4 first, as
  // Poco's server did, so that clients of 127.0.0.1 find it.
  std::vector<addrinfo*> addresses;
  for (auto* address = found; address != nullptr; address = address->ai_next) addresses.push_back(address);
  std::stable_partition(addresses.begin(), addresses.end(), [](const addrinfo* a) { return a->ai_family == AF_INET; });
  std::string failure = "no address";
  for (auto* address : addresses) {
    if (listen_fd_ >= 0) break;
    const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    const int one = 1;
    // SO_REUSEADDR only (restart while old connections are in TIME_WAIT);
    // never SO_REUSEPORT, which would let a second gateway share the port.
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, address->ai_addr, address->ai_addrlen) == 0 && ::listen(fd, 1024) == 0) {
      listen_fd_ = fd;
    } else {
      failure = errnoText();
      ::close(fd);
    }
  }
  ::freeaddrinfo(found);
  if (listen_fd_ < 0) throw std::runtime_error("cannot listen on " + where + ": " + failure);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &length);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  open_connections_ = std::make_shared<std::atomic<std::size_t>>(0);
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    loops_.push_back(std::make_shared<HttpLoop>(options_, listen_fd_, body_limit, handler, open_connections_));
  }
}

HttpServer::~HttpServer() {
  stop(std::chrono::milliseconds(0));
  ::close(listen_fd_);
}

void HttpServer::start() {
  for (auto& loop : loops_) loop->start();
}

std::size_t HttpServer::stop(std::chrono::milliseconds grace) {
  if (stopped_) return 0;
  stopped_ = true;
  // Refuses new connections at once (Linux stops listening on shutdown).
  ::shutdown(listen_fd_, SHUT_RDWR);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (auto& loop : loops_) loop->requestStop(deadline);
  std::size_t unanswered = 0;
  for (auto& loop : loops_) unanswered += loop->join();
  return unanswered;
}

}  // namespace ccm::core
