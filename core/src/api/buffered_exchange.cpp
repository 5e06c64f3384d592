#include "api/buffered_exchange.hpp"

#include <fstream>
#include <sstream>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SocketAddress.h>

namespace ccm::core {
namespace {

// A response collected in memory; the server writes it.
class BufferedResponse : public Poco::Net::HTTPServerResponse {
public:
  void sendContinue() override {}  // the server answered Expect: 100-continue already
  std::ostream& send() override {
    // As Poco's own response: one send per response.
    if (sent_) throw std::logic_error("the response was sent already");
    sent_ = true;
    return body_;
  }
  void sendFile(const std::string& path, const std::string& media_type) override {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error("cannot read " + path);
    setContentType(media_type);
    send() << file.rdbuf();
  }
  void sendBuffer(const void* buffer, std::size_t length) override {
    send().write(static_cast<const char*>(buffer), static_cast<std::streamsize>(length));
  }
  void redirect(const std::string& uri, HTTPStatus status) override {
    setStatus(status);
    set("Location", uri);
    send();
  }
  void requireAuthentication(const std::string& realm) override {
    setStatus(HTTP_UNAUTHORIZED);
    set("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
    send();
  }
  bool sent() const override { return sent_; }

  HttpResponse take() {
    // A route that never answered is a bug, not a success.
    if (!sent_) throw std::logic_error("the route sent no response");
    HttpResponse response;
    response.status = static_cast<int>(getStatus());
    for (const auto& [name, value] : *this) response.headers.emplace_back(name, value);
    response.body = body_.str();
    response.close = !getKeepAlive();
    return response;
  }

private:
  std::ostringstream body_;
  bool sent_ = false;
};

class BufferedRequest : public Poco::Net::HTTPServerRequest {
public:
  BufferedRequest(HttpRequest request, BufferedResponse& response)
      : body_(std::move(request.body)), response_(response), params_(new Poco::Net::HTTPServerParams) {
    setMethod(request.method);
    setURI(request.target);
    setVersion(request.minor_version == 0 ? HTTP_1_0 : HTTP_1_1);
    for (auto& [name, value] : request.headers) {
      // The body is read already: whatever its framing was, it is now this long.
      if (equalsIgnoreCase(name, "Transfer-Encoding") || equalsIgnoreCase(name, "Content-Length")) continue;
      add(name, value);
    }
    setContentLength64(static_cast<std::streamsize>(body_.str().size()));
  }
  std::istream& stream() override { return body_; }
  const Poco::Net::SocketAddress& clientAddress() const override { return address_; }
  const Poco::Net::SocketAddress& serverAddress() const override { return address_; }
  const Poco::Net::HTTPServerParams& serverParams() const override { return *params_; }
  Poco::Net::HTTPServerResponse& response() const override { return response_; }
  bool secure() const override { return false; }

private:
  std::istringstream body_;
  BufferedResponse& response_;
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::SocketAddress address_;
};

}  // namespace

HttpResponse serveBuffered(const Router& router, HttpRequest request, const std::optional<std::string>& path,
                           const Router::Match& found) {
  BufferedResponse response;
  const bool keep_alive = request.keep_alive;
  BufferedRequest buffered(std::move(request), response);
  response.setVersion(buffered.getVersion());
  response.setKeepAlive(keep_alive);
  router.handle(buffered, response, path, found);
  return response.take();
}

}  // namespace ccm::core
