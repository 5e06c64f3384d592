#include "support/tls_client.hpp"

#include <sys/socket.h>

#include <boost/asio/write.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace ccm::testing {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

TlsClient::TlsClient(std::uint16_t port, const Options& options) : context_(ssl::context::tls_client) {
  context_.load_verify_file(options.ca_file);
  context_.set_verify_mode(ssl::verify_peer);
  if (!options.cert_file.empty()) {
    context_.use_certificate_chain_file(options.cert_file);
    context_.use_private_key_file(options.key_file, ssl::context::pem);
  }
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(context_.native_handle(), options.max_version);
  stream_ = std::make_unique<ssl::stream<tcp::socket>>(io_, context_);
  stream_->next_layer().connect(tcp::endpoint(net::ip::address_v4::loopback(), port));
  timeval timeout{5, 0};
  ::setsockopt(stream_->next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  stream_->handshake(ssl::stream_base::client, handshake_error_);
}

std::string TlsClient::serverCommonName() {
  X509* certificate = SSL_get1_peer_certificate(stream_->native_handle());
  if (certificate == nullptr) return {};
  char name[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, name, sizeof name);
  X509_free(certificate);
  return name;
}

std::string TlsClient::request(const std::string& method, const std::string& target, const std::string& body) {
  boost::system::error_code error;
  std::string wire = method + " " + target + " HTTP/1.1\r\nHost: t\r\n";
  if (!body.empty()) wire += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  wire += "\r\n" + body;
  net::write(*stream_, net::buffer(wire), error);
  if (error) return {};
  std::string out;
  char buffer[4096];
  while (true) {
    const auto head_end = out.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const auto length_at = out.find("Content-Length: ");
      const std::size_t length = length_at < head_end ? std::stoul(out.substr(length_at + 16)) : 0;
      if (out.size() >= head_end + 4 + length) return out;
    }
    const auto n = stream_->read_some(net::buffer(buffer), error);
    if (error) return out;
    out.append(buffer, n);
  }
}

}  // namespace ccm::testing
