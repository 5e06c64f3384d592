#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

// A CloudEvents HTTP receiver on 127.0.0.1 for tests: a real Poco HTTP(S)
// server that records every request and answers as scripted.
namespace ccm::fakes {

using Headers = std::vector<std::pair<std::string, std::string>>;

// One request as it arrived.
struct ReceivedRequest {
  std::string method;
  std::string target;  // path and query
  Headers headers;     // in arrival order, names as sent
  std::string body;
  std::string peer;  // the client's address and port: one per connection

  // Case-insensitive lookup of the first header with this name.
  std::optional<std::string> header(std::string_view name) const;
};

// How the receiver answers one request.
// Every member has an initializer, so Reply{.status = 503} names only what matters.
struct Reply {
  int status = 200;
  Headers headers{};
  std::string body{};
  std::chrono::milliseconds delay{0};  // wait this long before answering
  bool drop_connection = false;        // reset the connection instead of answering
};

struct TlsSettings {
  std::string cert_file;       // PEM server certificate (chain)
  std::string key_file;        // its private key
  std::string client_ca_file;  // non-empty: require a client certificate issued by this CA
};

// Listens on 127.0.0.1 on a port the OS picks. Like a real receiver it answers
// 405 to anything but POST and 400 to a request that is not a valid CloudEvents
// HTTP message (binary, structured or batch); every other request gets the
// next scripted reply, or the default reply (200, empty body) once the script
// is used up. Thread-safe.
class CloudEventsReceiver {
public:
  explicit CloudEventsReceiver(std::optional<TlsSettings> tls = std::nullopt);
  ~CloudEventsReceiver();
  CloudEventsReceiver(const CloudEventsReceiver&) = delete;
  CloudEventsReceiver& operator=(const CloudEventsReceiver&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>", or https with TLS.
  std::string url(std::string_view path = "/") const;

  // Queues the reply for the next valid request not yet answered.
  void script(Reply reply);
  void setDefaultReply(Reply reply);

  // Waits until `count` requests have arrived or the timeout passes; true if they did.
  bool waitForRequests(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  std::vector<ReceivedRequest> requests() const;
  // TCP connections accepted so far (TLS handshakes that failed included).
  int acceptedConnections() const;

private:
  class Handler;
  class HandlerFactory;

  // Records the request and picks its reply.
  Reply receive(ReceivedRequest request);
  // Waits out a reply's delay; false if the receiver stops first.
  bool pause(std::chrono::milliseconds delay) const;

  bool tls_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<Reply> script_;
  Reply default_reply_;
  std::vector<ReceivedRequest> requests_;
  bool stopping_ = false;
  std::unique_ptr<Poco::ThreadPool> threads_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace ccm::fakes
