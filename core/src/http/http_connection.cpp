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
#include <boost/beast/http/string_body.hpp>
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
constexpr std::size_t kMaxStreamSocketBuffer = 256 * 1024;
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
    error_code ignored;
    beast::get_lowest_layer(stream_).non_blocking(true, ignored);  // read_some after a wait never blocks
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

  void streamStart(HttpResponse head, std::shared_ptr<HttpStreamState> state) override {
    if (phase_ != Phase::InHand) {
      state->closed = true;
      return;
    }
    streamed_ = std::move(state);
    chunked_ = version_ != 10;
    queued_.clear();
    serializeStreamHead(head, chunked_ ? 1 : 0, httpDate(), queued_);
    enter(Phase::Streaming);
    // A kernel buffer near the stream's own limit: a client that stopped
    // reading is then found by that limit, not hidden in megabytes of socket buffer.
    error_code ignored;
    const auto buffer = static_cast<int>(std::min<std::size_t>(streamed_->max_pending, kMaxStreamSocketBuffer));
    beast::get_lowest_layer(stream_).set_option(tcp::socket::send_buffer_size(buffer), ignored);
    watchStreamClient();
    if (head_request_) ending_ = true;  // a HEAD answer has no body
    flushStream();
  }

  void streamWrite(std::string bytes) override {
    if (phase_ != Phase::Streaming || ending_) return;
    queued_raw_ += bytes.size();
    if (chunked_) appendChunk(bytes, queued_);
    else queued_.append(bytes);
    if (!writing_) flushStream();
  }

  void streamEnd() override {
    if (phase_ != Phase::Streaming || ending_) return;
    ending_ = true;
    if (chunked_) queued_.append("0\r\n\r\n");
    if (!writing_) flushStream();
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
      case Phase::Streaming:
        // A write that made no progress for this long: the client stopped reading.
        if (writing_ && age >= options.request_timeout) {
          streamed_->too_slow = true;
          close();
        }
        break;
      case Phase::InHand:  // the handler answers; stop() bounds it
      case Phase::Closed:
        break;
    }
  }

  void closeIfIdle() override {
    if (phase_ == Phase::Idle || phase_ == Phase::Handshake) close();
    if (phase_ == Phase::Streaming) streamEnd();  // the server stops: the stream ends cleanly
  }

  bool requestInHand() const override { return phase_ == Phase::InHand; }

  void close() override {
    if (phase_ == Phase::Closed) return;
    phase_ = Phase::Closed;
    if (streamed_) streamed_->closed = true;
    error_code ignored;
    beast::get_lowest_layer(stream_).close(ignored);
    auto keep = self();  // remove() drops the loop's reference
    loop_->remove(this);
  }

  HttpLoop& loop() override { return *loop_; }

private:
  enum class Phase { Handshake, Idle, Receiving, InHand, Writing, Streaming, Lingering, Closed };

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

  // Starts on the next request: what the buffer already holds (pipelined)
  // is parsed at once, otherwise the connection waits, idle, for input.
  void readRequest() {
    if (phase_ == Phase::Closed) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(settings_.options.max_head_bytes, UINT32_MAX)));
    // The route's limit is known once the head is read (onHead).
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    head_read_ = false;
    timed_out_ = false;
    dropLeadingEmptyLines();
    if (buffer_.size() > 0) {
      enter(Phase::Receiving);
      return parse();
    }
    if (loop_->stopping()) return linger();
    enter(Phase::Idle);
    readMore();
  }

  void readMore() {
    if constexpr (kTls) {
      stream_.async_read_some(buffer_.prepare(kReadChunk), [self = self()](const error_code& error, std::size_t n) {
        self->onRead(error, n);
      });
    } else {
      // Waits for input, then reads it: an async read would first try a read
      // that, on a keep-alive connection between requests, always finds nothing.
      stream_.async_wait(tcp::socket::wait_read, [self = self()](const error_code& waited) {
        if (waited) return self->onRead(waited, 0);
        error_code error;
        const auto n = self->stream_.read_some(self->buffer_.prepare(kReadChunk), error);
        if (error == net::error::would_block) return self->readMore();
        self->onRead(error, n);
      });
    }
  }

  void onRead(const error_code& error, std::size_t n) {
    if (phase_ == Phase::Closed) return;
    if (error) return onReadFailed(error);
    buffer_.commit(n);
    if (phase_ == Phase::Idle) {
      dropLeadingEmptyLines();
      if (buffer_.size() == 0) return readMore();
      enter(Phase::Receiving);
    }
    parse();
  }

  // Hands the buffered input to Beast's parser, here rather than through
  // http::async_read: a request that arrived whole is then answered without
  // another trip through the io_context.
  void parse() {
    while (buffer_.size() > 0) {
      error_code error;
      const auto used = parser_->put(buffer_.data(), error);
      buffer_.consume(used);
      if (error == http::error::need_more) break;
      if (error) return onReadFailed(error);
      if (!head_read_ && parser_->is_header_done()) {
        head_read_ = true;
        if (!onHead()) return;
      }
      if (parser_->is_done()) return dispatch();
    }
    readMore();
  }

  // The head's checks and the route's body limit; false when the request
  // was refused or the body waits for a 100 Continue to go out first.
  bool onHead() {
    const auto& head = parser_->get();
    if (auto refusal = checkHead(head)) return refuse(std::move(*refusal)), false;
    head_fields_ = static_cast<std::size_t>(std::distance(head.begin(), head.end()));
    limit_ = settings_.body_limit({head.method_string().data(), head.method_string().size()},
                                  {head.target().data(), head.target().size()});
    if (const auto length = parser_->content_length(); length && *length > limit_.bytes) {
      return refuse(bodyTooLarge(limit_.bytes, limit_.setting)), false;
    }
    parser_->body_limit(limit_.bytes);
    parser_->eager(true);  // from here on one put() takes all of the body it is given
    // An HTTP/1.0 client is not waiting for it (RFC 9110 10.1.1).
    if (parser_->is_done() || buffer_.size() > 0 || head.version() < 11 ||
        head.find(http::field::expect) == head.end()) {
      return true;
    }
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = self()](const error_code& error, std::size_t) {
                       if (self->phase_ == Phase::Closed) return;
                       if (error) return self->close();
                       self->readMore();
                     });
    return false;
  }

  void onReadFailed(const error_code& error) {
    if (timed_out_) {
      return refuse({408, "the request did not arrive within " +
                              std::to_string(settings_.options.request_timeout.count()) + " ms"});
    }
    // The client left (idle, or in the middle of a request) or the socket failed.
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
    out_.clear();
    serializeResponse(response, version_ == 10 ? 0 : 1, keep_alive, head_request_, httpDate(), out_);
    enter(Phase::Writing);
    net::async_write(stream_, net::buffer(out_), [self = self(), keep_alive](const error_code& error, std::size_t) {
      if (self->phase_ == Phase::Closed) return;
      if (error) return self->close();
      if (!keep_alive) return self->linger();
      self->readRequest();
    });
  }

  // Writes what the stream queued, one write at a time; the client's reads
  // free the stream's budget as they complete.
  void flushStream() {
    if (queued_.empty()) {
      if (ending_) finishStream();
      return;
    }
    std::swap(writing_bytes_, queued_);
    queued_.clear();
    const auto raw = std::exchange(queued_raw_, 0);
    writing_ = true;
    since_ = HttpClock::now();
    net::async_write(stream_, net::buffer(writing_bytes_), [self = self(), raw](const error_code& error, std::size_t) {
      if (self->phase_ == Phase::Closed) return;
      if (error) return self->close();
      self->writing_ = false;
      self->streamed_->pending -= raw;
      self->since_ = HttpClock::now();
      self->flushStream();
    });
  }

  void finishStream() {
    streamed_->closed = true;
    if constexpr (kTls) {
      close();  // a TLS shutdown would read while watchStreamClient() reads
    } else {
      error_code ignored;
      stream_.shutdown(tcp::socket::shutdown_send, ignored);
      enter(Phase::Lingering);  // watchStreamClient() closes at the client's end of input
    }
  }

  // A streaming client sends nothing more; reading tells when it goes away.
  void watchStreamClient() {
    stream_.async_read_some(net::buffer(discard_), [self = self()](const error_code& error, std::size_t n) {
      if (self->phase_ == Phase::Closed) return;
      self->discarded_ += n;
      if (error || self->discarded_ > kLingerDiscardBytes) return self->close();
      self->watchStreamClient();
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
  std::string out_;  // the response being written
  BodyLimit limit_{0, {}};
  std::size_t head_fields_ = 0;
  bool head_read_ = false;
  Phase phase_ = Phase::Idle;
  HttpClock::time_point since_ = HttpClock::now();
  bool timed_out_ = false;
  bool keep_alive_ = true;
  bool head_request_ = false;
  unsigned version_ = 11;
  std::string client_subject_;
  std::size_t discarded_ = 0;
  std::array<char, 4096> discard_{};
  // A streamed response (streamStart): bytes queued, bytes being written.
  std::shared_ptr<HttpStreamState> streamed_;
  std::string queued_;
  std::size_t queued_raw_ = 0;  // of queued_, the stream's own bytes (without chunk framing)
  std::string writing_bytes_;
  bool writing_ = false;
  bool ending_ = false;
  bool chunked_ = true;
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
