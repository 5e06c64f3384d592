#include "fakes/cloudevents_receiver.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>

#include <algorithm>
#include <cctype>

#include "ccm/sdk/codec.hpp"

namespace ccm::fakes {
namespace {

bool sameName(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

Reply plainReply(int status, std::string body) {
  return Reply{.status = status, .headers = {{"Content-Type", "text/plain"}}, .body = std::move(body)};
}

}  // namespace

std::optional<std::string> ReceivedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (sameName(key, name)) return value;
  }
  return std::nullopt;
}

class CloudEventsReceiver::Handler final : public Poco::Net::HTTPRequestHandler {
public:
  explicit Handler(CloudEventsReceiver& receiver) : receiver_(receiver) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    ReceivedRequest received{request.getMethod(), request.getURI(), {}, {}, request.clientAddress().toString()};
    for (const auto& [name, value] : request) received.headers.emplace_back(name, value);
    Poco::StreamCopier::copyToString(request.stream(), received.body);

    const Reply reply = receiver_.receive(std::move(received));
    if (!receiver_.pause(reply.delay)) return;
    if (reply.drop_connection) {
      Poco::Net::StreamSocket socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).detachSocket();
      socket.setLinger(true, 0);  // a reset, not an orderly close
      socket.close();
      return;
    }
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    for (const auto& [name, value] : reply.headers) response.set(name, value);
    // RFC 9110 sections 15.3.5 and 15.4.5: 204 and 304 never carry content.
    const bool has_content = reply.status != 204 && reply.status != 304;
    response.setContentLength(has_content ? static_cast<std::streamsize>(reply.body.size()) : 0);
    std::ostream& out = response.send();
    if (has_content) out << reply.body;
  }

private:
  CloudEventsReceiver& receiver_;
};

class CloudEventsReceiver::HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit HandlerFactory(CloudEventsReceiver& receiver) : receiver_(receiver) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(receiver_);
  }

private:
  CloudEventsReceiver& receiver_;
};

CloudEventsReceiver::CloudEventsReceiver(std::optional<TlsSettings> tls)
    : tls_(tls.has_value()), threads_(std::make_unique<Poco::ThreadPool>(2, 16)) {
  const Poco::Net::SocketAddress address("127.0.0.1", 0);
  Poco::Net::ServerSocket socket;
  if (tls) {
    Poco::Net::initializeSSL();
    const bool require_client_cert = !tls->client_ca_file.empty();
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_SERVER_USE, tls->key_file, tls->cert_file, tls->client_ca_file,
        require_client_cert ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE, 9, false);
    socket = Poco::Net::SecureServerSocket(address, 64, context);
  } else {
    socket = Poco::Net::ServerSocket(address, 64);
  }
  port_ = socket.address().port();

  auto params = Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams);
  params->setKeepAlive(true);
  params->setMaxThreads(16);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(*this), *threads_, socket, params);
  server_->start();
}

CloudEventsReceiver::~CloudEventsReceiver() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  server_->stopAll(true);
  threads_->joinAll();
  server_.reset();
  if (tls_) Poco::Net::uninitializeSSL();
}

std::string CloudEventsReceiver::url(std::string_view path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void CloudEventsReceiver::script(Reply reply) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(reply));
}

void CloudEventsReceiver::setDefaultReply(Reply reply) {
  std::lock_guard lock(mutex_);
  default_reply_ = std::move(reply);
}

bool CloudEventsReceiver::waitForRequests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

std::vector<ReceivedRequest> CloudEventsReceiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int CloudEventsReceiver::acceptedConnections() const {
  return server_->totalConnections();
}

Reply CloudEventsReceiver::receive(ReceivedRequest request) {
  // Checked before the script, as a real receiver would.
  std::optional<Reply> refusal;
  if (request.method != "POST") {
    refusal = plainReply(405, "only POST is accepted");
  } else if (auto events = sdk::parseHttp(request.headers, request.body); !events) {
    refusal = plainReply(400, events.error().message);
  }

  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(request));
  changed_.notify_all();
  if (refusal) return *refusal;
  if (script_.empty()) return default_reply_;
  Reply reply = std::move(script_.front());
  script_.pop_front();
  return reply;
}

bool CloudEventsReceiver::pause(std::chrono::milliseconds delay) const {
  std::unique_lock lock(mutex_);
  return !changed_.wait_for(lock, delay, [&] { return stopping_; });
}

}  // namespace ccm::fakes
