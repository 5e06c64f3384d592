#include "fakes/loopback_http_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>

#include <utility>

namespace ccm::fakes {

class LoopbackHttpServer::Handler final : public Poco::Net::HTTPRequestHandler {
public:
  explicit Handler(const Respond& respond) : respond_(respond) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    ReceivedRequest received{request.getMethod(), request.getURI(), {}, {}, request.clientAddress().toString()};
    for (const auto& [name, value] : request) received.headers.emplace_back(name, value);
    Poco::StreamCopier::copyToString(request.stream(), received.body);

    const Reply reply = respond_(std::move(received));
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    for (const auto& [name, value] : reply.headers) response.set(name, value);
    response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    response.send() << reply.body;
  }

private:
  const Respond& respond_;
};

class LoopbackHttpServer::HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit HandlerFactory(const Respond& respond) : respond_(respond) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(respond_);
  }

private:
  const Respond& respond_;
};

LoopbackHttpServer::LoopbackHttpServer(Respond respond)
    : respond_(std::move(respond)), threads_(std::make_unique<Poco::ThreadPool>(2, 16)) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64);
  port_ = socket.address().port();
  auto params = Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams);
  params->setKeepAlive(true);
  params->setMaxThreads(16);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(respond_), *threads_, socket, params);
  server_->start();
}

LoopbackHttpServer::~LoopbackHttpServer() {
  server_->stopAll(true);
  threads_->joinAll();
}

std::string LoopbackHttpServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

}  // namespace ccm::fakes
