#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

namespace ccm::testing {

// A TLS client of 127.0.0.1 for tests: trusts `ca_file`, may present a
// certificate, and sends requests as bytes over one keep-alive connection.
class TlsClient {
public:
  struct Options {
    std::string ca_file;
    std::string cert_file;  // with key_file: the client certificate
    std::string key_file;
    int max_version = 0;  // e.g. TLS1_2_VERSION; 0: the library's newest
  };

  TlsClient(std::uint16_t port, const Options& options);

  const boost::system::error_code& handshakeError() const { return handshake_error_; }
  // The server certificate's subject common name ("" without one).
  std::string serverCommonName();
  // Sends one request and reads its response (up to its Content-Length
  // body), or what came before the connection failed ("" when nothing did).
  std::string request(const std::string& method, const std::string& target, const std::string& body = "");
  std::string get(const std::string& target) { return request("GET", target); }

private:
  boost::asio::io_context io_;
  boost::asio::ssl::context context_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
  boost::system::error_code handshake_error_;
};

}  // namespace ccm::testing
