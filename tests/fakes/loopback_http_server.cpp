#include "fakes/loopback_http_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>

#include <utility>

namespace ccm::fakes {

class LoopbackHttpServer::Handler final : public Poco::Net::HTTPRequestHandler {
public:
  explicit Handler(LoopbackHttpServer& server) : server_(server) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    ReceivedRequest received{request.getMethod(), request.getURI(), {}, {}, request.clientAddress().toString()};
    for (const auto& [name, value] : request) received.headers.emplace_back(name, value);
    Poco::StreamCopier::copyToString(request.stream(), received.body);

    const Reply reply = server_.respond_(std::move(received));
    if (!server_.pause(reply.delay)) return;
    if (reply.drop_connection) {
      Poco::Net::StreamSocket socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).detachSocket();
      socket.setLinger(true, 0);  // a reset, not an orderly close
      socket.close();
      return;
    }
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    for (const auto& [name, value] : reply.headers) response.set(name, value);
    response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    response.send() << reply.body;
  }

private:
  LoopbackHttpServer& server_;
};

class LoopbackHttpServer::HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit HandlerFactory(LoopbackHttpServer& server) : server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(server_);
  }

private:
  LoopbackHttpServer& server_;
};

LoopbackHttpServer::LoopbackHttpServer(Respond respond, std::uint16_t port)
    : respond_(std::move(respond)), threads_(std::make_unique<Poco::ThreadPool>(2, 16)) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", port), 64);
  port_ = socket.address().port();
  auto params = Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams);
  params->setKeepAlive(true);
  params->setMaxThreads(16);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(*this), *threads_, socket, params);
  server_->start();
}

LoopbackHttpServer::~LoopbackHttpServer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopping_changed_.notify_all();
  server_->stopAll(true);
  threads_->joinAll();
}

bool LoopbackHttpServer::pause(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return true;
  std::unique_lock lock(mutex_);
  return !stopping_changed_.wait_for(lock, delay, [this] { return stopping_; });
}

std::string LoopbackHttpServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

}  // namespace ccm::fakes
