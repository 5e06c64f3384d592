#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "http/tls_settings.hpp"

namespace ccm::core {

// A server-side TLS context built from the settings: the files are read now
// (a later change on disk needs a new context, see HttpServer::reloadTls).
// Throws std::runtime_error naming the setting and the file ("server.tls.key_file
// /etc/x.key: does not match server.tls.cert_file") when a file is missing,
// unreadable, not PEM, or the key does not belong to the certificate.
std::shared_ptr<boost::asio::ssl::context> makeServerTlsContext(const TlsSettings& settings);

// The verified client certificate's subject (RFC 2253), or "" when the peer
// sent none or it did not verify.
std::string verifiedClientSubject(SSL* connection);

// A short, bounded label for why a TLS handshake failed (metrics and logs):
// "http_request" (plaintext sent to the TLS port), "no_client_certificate",
// "client_certificate_rejected", "protocol_version", "no_shared_cipher",
// "closed", "timeout" or "other".
std::string handshakeFailureReason(const boost::system::error_code& error);

}  // namespace ccm::core
