// The ingest benchmarks' reference: a bare Poco HTTP server in its own
// process that reads each body, parses it as JSON and answers 202 (400 when
// it is not JSON); nothing durable. Prints "port N" once it listens.
//
//   reference_server [tls CERT KEY]
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/Util/ServerApplication.h>
#include <rapidjson/document.h>

namespace {

class ParseOnly : public Poco::Net::HTTPRequestHandlerFactory {
  class Handler : public Poco::Net::HTTPRequestHandler {
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      std::string body;
      Poco::StreamCopier::copyToString(request.stream(), body);
      rapidjson::Document doc;
      doc.Parse(body.c_str(), body.size());
      response.setStatus(doc.HasParseError() ? Poco::Net::HTTPResponse::HTTP_BAD_REQUEST
                                             : Poco::Net::HTTPResponse::HTTP_ACCEPTED);
      response.setContentLength(0);
      response.send();
    }
  };

public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler;
  }
};

class Reference : public Poco::Util::ServerApplication {
  int main(const std::vector<std::string>& args) override {
    const Poco::Net::SocketAddress address("127.0.0.1", 0);
    Poco::Net::ServerSocket socket;
    if (args.size() == 3 && args[0] == "tls") {
      Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, args[2], args[1], "",
                                                               Poco::Net::Context::VERIFY_NONE);
      socket = Poco::Net::SecureServerSocket(address, 64, context);
    } else {
      socket = Poco::Net::ServerSocket(address);
    }
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(64);
    Poco::Net::HTTPServer server(new ParseOnly, socket, params);
    server.start();
    std::printf("port %u\n", socket.address().port());
    std::fflush(stdout);
    waitForTerminationRequest();
    server.stop();
    return EXIT_OK;
  }
};

}  // namespace

POCO_SERVER_MAIN(Reference)
