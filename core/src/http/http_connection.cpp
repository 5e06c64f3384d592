// One client connection of the HTTP server: Beast reads each request (head,
// then body) and writes each response; this file decides what happens in
// between (limits, checks, 100-continue, timeouts, keep-alive, lingering close).
#include <array>
#include <limits>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <Poco/Logger.h>

#include "http/http_loop.hpp"
#include "http/request_checks.hpp"
#include "http/tls_context.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

constexpr std::size_t kReadChunk = 64 * 1024;
// After a response that closes the connection the sending side is shut and
// input is read and dropped for a while: closing with unread input would
// reset the connection, and the client could lose the response.
constexpr std::size_t kLingerDiscardBytes = 4 << 20;
constexpr auto kLingerTime = 2s;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

Poco::Logger& httpLog() { return Poco::Logger::get("ccm.http"); }

// Whether a read ended because the client went away (nothing to answer).
bool clientLeft(const error_code& error) {
  return error == http::error::end_of_stream || error == http::error::partial_message ||
         error == net::error::eof || error == net::error::connection_reset || error == net::error::broken_pipe ||
         error == net::ssl::error::stream_truncated || error.category() == net::error::get_ssl_category() ||
         error == net::error::bad_descriptor;
}

bool isHttpError(const error_code& error) { return error.category() == http::make_error_code(http::error::need_more).category(); }

template <class Stream>
class StreamConnection final : public HttpConnection {
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

public:
  StreamConnection(HttpLoop& loop, tcp::socket socket, std::shared_ptr<net::ssl::context> tls)
      : loop_(loop.shared_from_this()), settings_(loop.settings()), tls_(std::move(tls)), stream_(makeStream(std::move(socket))) {}

  void start() override {
    if constexpr (kTls) {
      enter(Phase::Handshake);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = self()](const error_code& error) { self->onHandshake(error); });
    } else {
      readRequest();
    }
  }

  void respond(HttpResponse response) override {
    if (phase_ != Phase::InHand) return;
    const bool keep_alive = keep_alive_ && !response.close && !loop_->stopping();
    write(std::move(response), keep_alive);
  }

  void checkTimeout(HttpClock::time_point now) override {
    const auto age = now - since_;
    const auto& options = settings_.options;
    switch (phase_) {
      case Phase::Idle:
        if (age >= options.keep_alive_timeout) close();
        break;
      case Phase::Receiving:
        // Cancelled, the read ends and the client is told 408 (onReadFailed).
        if (age >= options.request_timeout && !timed_out_) {
          timed_out_ = true;
          error_code ignored;
          beast::get_lowest_layer(stream_).cancel(ignored);
        }
        break;
      case Phase::Handshake:
      case Phase::Writing:
        if (age >= options.request_timeout) close();
        break;
      case Phase::Lingering:
        if (age >= kLingerTime) close();
        break;
      case Phase::InHand:  // the handler answers; stop() bounds it
      case Phase::Closed:
        break;
    }
  }

  void closeIfIdle() override {
    if (phase_ == Phase::Idle || phase_ == Phase::Handshake) close();
  }

  bool requestInHand() const override { return phase_ == Phase::InHand; }

  void close() override {
    if (phase_ == Phase::Closed) return;
    phase_ = Phase::Closed;
    error_code ignored;
    beast::get_lowest_layer(stream_).close(ignored);
    auto keep = self();  // remove() drops the loop's reference
    loop_->remove(this);
  }

  HttpLoop& loop() override { return *loop_; }

private:
  enum class Phase { Handshake, Idle, Receiving, InHand, Writing, Lingering, Closed };

  static Stream makeStream(tcp::socket socket, net::ssl::context* context) {
    if constexpr (kTls) return Stream(std::move(socket), *context);
    else return socket;
  }
  Stream makeStream(tcp::socket socket) { return makeStream(std::move(socket), tls_.get()); }

  std::shared_ptr<StreamConnection> self() { return std::static_pointer_cast<StreamConnection>(shared_from_this()); }

  void enter(Phase phase) {
    phase_ = phase;
    since_ = HttpClock::now();
  }

  void onHandshake(const error_code& error) {
    if (phase_ == Phase::Closed) return;
    if (error) {
      const auto reason = handshakeFailureReason(error);
      if (settings_.options.on_tls_failure) settings_.options.on_tls_failure(reason);
      logWithFields(httpLog(), sdk::LogLevel::Debug, "TLS handshake failed",
                    {{"reason", reason}, {"error", error.message()}});
      return close();
    }
    if constexpr (kTls) client_subject_ = verifiedClientSubject(stream_.native_handle());
    readRequest();
  }

  // RFC 9112 2.2: empty lines before a request line are ignored.
  void dropLeadingEmptyLines() {
    while (buffer_.size() >= 2) {
      const auto* bytes = static_cast<const char*>(buffer_.data().data());
      if (bytes[0] != '\r' || bytes[1] != '\n') return;
      buffer_.consume(2);
    }
  }

  void readRequest() {
    if (phase_ == Phase::Closed) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(settings_.options.max_head_bytes, UINT32_MAX)));
    // The route's limit is known once the head is read (onHead).
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    timed_out_ = false;
    dropLeadingEmptyLines();
    if (buffer_.size() > 0) return readHead();
    if (loop_->stopping()) return linger();
    enter(Phase::Idle);
    stream_.async_read_some(buffer_.prepare(kReadChunk), [self = self()](const error_code& error, std::size_t n) {
      if (self->phase_ == Phase::Closed) return;
      if (error) return self->close();  // the client left, or stayed idle too long
      self->buffer_.commit(n);
      self->readRequest();
    });
  }

  void readHead() {
    enter(Phase::Receiving);
    http::async_read_header(stream_, buffer_, *parser_, [self = self()](const error_code& error, std::size_t) {
      if (self->phase_ == Phase::Closed) return;
      if (error) return self->onReadFailed(error);
      self->onHead();
    });
  }

  void onHead() {
    const auto& head = parser_->get();
    if (auto refusal = checkHead(head)) return refuse(std::move(*refusal));
    head_fields_ = static_cast<std::size_t>(std::distance(head.begin(), head.end()));
    limit_ = settings_.body_limit({head.method_string().data(), head.method_string().size()},
                                  {head.target().data(), head.target().size()});
    if (const auto length = parser_->content_length(); length && *length > limit_.bytes) {
      return refuse(bodyTooLarge(limit_.bytes, limit_.setting));
    }
    parser_->body_limit(limit_.bytes);
    if (parser_->is_done()) return dispatch();
    // An HTTP/1.0 client is not waiting for it (RFC 9110 10.1.1).
    if (head.version() >= 11 && head.find(http::field::expect) != head.end()) {
      return net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                              [self = self()](const error_code& error, std::size_t) {
                                if (self->phase_ == Phase::Closed) return;
                                if (error) return self->close();
                                self->readBody();
                              });
    }
    readBody();
  }

  void readBody() {
    http::async_read(stream_, buffer_, *parser_, [self = self()](const error_code& error, std::size_t) {
      if (self->phase_ == Phase::Closed) return;
      if (error) return self->onReadFailed(error);
      self->dispatch();
    });
  }

  void onReadFailed(const error_code& error) {
    if (timed_out_) {
      return refuse({408, "the request did not arrive within " +
                              std::to_string(settings_.options.request_timeout.count()) + " ms"});
    }
    if (!isHttpError(error) || clientLeft(error)) return close();
    const auto unparsed = buffer_.data();
    refuse(refusalFor(error, {static_cast<const char*>(unparsed.data()), unparsed.size()}, parser_->is_header_done(),
                      settings_.options.max_head_bytes, limit_.bytes, limit_.setting));
  }

  void dispatch() {
    auto& message = parser_->get();
    HttpRequest request;
    request.method.assign(message.method_string().data(), message.method_string().size());
    request.target.assign(message.target().data(), message.target().size());
    request.minor_version = message.version() == 10 ? 0 : 1;
    request.keep_alive = message.keep_alive();
    // Fields after the head's are the trailers of a chunked body: dropped,
    // none of ours means anything there (RFC 9110 6.5.1).
    request.headers.reserve(head_fields_);
    std::size_t field = 0;
    for (auto it = message.begin(); it != message.end() && field < head_fields_; ++it, ++field) {
      request.headers.emplace_back(std::string(it->name_string()), std::string(it->value()));
    }
    request.body = std::move(message.body());
    request.client_subject = client_subject_;
    version_ = message.version();
    head_request_ = message.method() == http::verb::head;
    keep_alive_ = request.keep_alive;
    parser_.reset();
    enter(Phase::InHand);
    HttpResponder responder(shared_from_this());
    try {
      settings_.handler(std::move(request), responder);
    } catch (const std::exception& e) {
      handlerFailed(responder, e.what());
    } catch (...) {
      handlerFailed(responder, "unknown error");
    }
  }

  static void handlerFailed(const HttpResponder& responder, const std::string& error) {
    logWithFields(httpLog(), sdk::LogLevel::Error, "request handler failed", {{"error", error}});
    auto response = problemResponse(500, error);
    response.close = true;
    responder.send(std::move(response));
  }

  // The server's own answer to a request it cannot take; the connection closes after it.
  void refuse(RequestRefusal refusal) {
    if (settings_.options.on_refused) settings_.options.on_refused(refusal.status);
    version_ = 11;  // as before the head was read: the refusal's framing must not depend on it
    head_request_ = false;
    write(problemResponse(refusal.status, refusal.detail), false);
  }

  void write(HttpResponse response, bool keep_alive) {
    response_ = {};
    response_.version(version_ >= 10 && version_ <= 11 ? version_ : 11);
    response_.result(static_cast<unsigned>(response.status));
    if (const char* reason = reasonPhrase(response.status); *reason != '\0') response_.reason(reason);
    const auto date = httpDate();
    response_.set(http::field::date, beast::string_view(date.data(), date.size()));
    for (auto& [name, value] : response.headers) {
      if (equalsIgnoreCase(name, "Content-Length") || equalsIgnoreCase(name, "Connection") ||
          equalsIgnoreCase(name, "Transfer-Encoding") || equalsIgnoreCase(name, "Date")) {
        continue;  // framing is the server's
      }
      response_.insert(beast::string_view(name.data(), name.size()), beast::string_view(value.data(), value.size()));
    }
    // RFC 9110 8.6: no Content-Length in a 204; a HEAD answer names the GET body's length.
    if (response.status != 204) response_.content_length(response.body.size());
    if (!head_request_) response_.body() = std::move(response.body);
    response_.keep_alive(keep_alive);
    enter(Phase::Writing);
    http::async_write(stream_, response_, [self = self(), keep_alive](const error_code& error, std::size_t) {
      if (self->phase_ == Phase::Closed) return;
      if (error) return self->close();
      if (!keep_alive) return self->linger();
      self->readRequest();
    });
  }

  void linger() {
    enter(Phase::Lingering);
    if constexpr (kTls) {
      stream_.async_shutdown([self = self()](const error_code&) { self->close(); });
    } else {
      error_code ignored;
      stream_.shutdown(tcp::socket::shutdown_send, ignored);
      discard();
    }
  }

  void discard() {
    stream_.async_read_some(net::buffer(discard_), [self = self()](const error_code& error, std::size_t n) {
      if (self->phase_ == Phase::Closed) return;
      self->discarded_ += n;
      if (error || self->discarded_ > kLingerDiscardBytes) return self->close();
      self->discard();
    });
  }

  std::shared_ptr<HttpLoop> loop_;  // first: the stream's socket belongs to its io_context
  const HttpServerSettings& settings_;
  std::shared_ptr<net::ssl::context> tls_;  // before stream_, which refers to it
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;  // being written
  BodyLimit limit_{0, {}};
  std::size_t head_fields_ = 0;
  Phase phase_ = Phase::Idle;
  HttpClock::time_point since_ = HttpClock::now();
  bool timed_out_ = false;
  bool keep_alive_ = true;
  bool head_request_ = false;
  unsigned version_ = 11;
  std::string client_subject_;
  std::size_t discarded_ = 0;
  std::array<char, 4096> discard_{};
};

}  // namespace

void startConnection(HttpLoop& loop, tcp::socket socket, std::shared_ptr<net::ssl::context> tls) {
  if (tls) {
    loop.add(std::make_shared<StreamConnection<beast::ssl_stream<tcp::socket>>>(loop, std::move(socket), std::move(tls)));
  } else {
    loop.add(std::make_shared<StreamConnection<tcp::socket>>(loop, std::move(socket), nullptr));
  }
}

}  // namespace ccm::core
