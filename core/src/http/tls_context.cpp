#include "http/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace ccm::core {
namespace {

namespace ssl = boost::asio::ssl;

std::runtime_error settingError(const std::string& setting, const std::string& file, const std::string& what) {
  return std::runtime_error("server.tls." + setting + " " + file + ": " + what);
}

std::string readPem(const std::string& setting, const std::string& file) {
  if (file.empty()) throw std::runtime_error("server.tls." + setting + " is required");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw settingError(setting, file, std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN ") == std::string::npos) throw settingError(setting, file, "holds no PEM block");
  return text.str();
}

// What OpenSSL says about the last failure, without its error-queue noise.
std::string openSslReason(const boost::system::system_error& error) { return error.code().message(); }

}  // namespace

std::shared_ptr<ssl::context> makeServerTlsContext(const TlsSettings& settings) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_compression | ssl::context::single_dh_use);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (settings.min_version != "1.2" && settings.min_version != "1.3") {
    throw std::runtime_error("server.tls.min_version must be \"1.2\" or \"1.3\", got \"" + settings.min_version + "\"");
  }
  SSL_CTX_set_min_proto_version(native, settings.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);

  const std::string certificate = readPem("cert_file", settings.cert_file);
  try {
    context->use_certificate_chain(boost::asio::buffer(certificate));
  } catch (const boost::system::system_error& e) {
    throw settingError("cert_file", settings.cert_file, "not a PEM certificate chain (" + openSslReason(e) + ")");
  }
  const std::string key = readPem("key_file", settings.key_file);
  try {
    context->use_private_key(boost::asio::buffer(key), ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    if (ERR_GET_REASON(static_cast<unsigned long>(e.code().value())) != X509_R_KEY_VALUES_MISMATCH) {
      throw settingError("key_file", settings.key_file, "not a PEM private key (" + openSslReason(e) + ")");
    }
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    throw settingError("key_file", settings.key_file, "does not match server.tls.cert_file " + settings.cert_file);
  }

  if (settings.client_auth == TlsSettings::ClientAuth::None) {
    context->set_verify_mode(ssl::verify_none);
    return context;
  }
  const std::string authorities = readPem("client_ca_file", settings.client_ca_file);
  try {
    context->add_certificate_authority(boost::asio::buffer(authorities));
  } catch (const boost::system::system_error& e) {
    throw settingError("client_ca_file", settings.client_ca_file, "not PEM certificates (" + openSslReason(e) + ")");
  }
  // Tells clients which CAs we accept, so one holding several certificates picks the right one.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(settings.client_ca_file.c_str())) {
    SSL_CTX_set_client_CA_list(native, names);
  }
  ERR_clear_error();
  // Session resumption with client certificates needs a context id (else OpenSSL refuses to resume).
  static constexpr unsigned char kSessionContext[] = "ccm-gateway";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  context->set_verify_mode(settings.client_auth == TlsSettings::ClientAuth::Required
                               ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert
                               : ssl::verify_peer);
  return context;
}

std::string verifiedClientSubject(SSL* connection) {
  X509* certificate = SSL_get1_peer_certificate(connection);
  if (certificate == nullptr) return {};
  std::string subject;
  if (SSL_get_verify_result(connection) == X509_V_OK) {
    if (BIO* out = BIO_new(BIO_s_mem())) {
      X509_NAME_print_ex(out, X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
      char* text = nullptr;
      const long length = BIO_get_mem_data(out, &text);
      if (length > 0) subject.assign(text, static_cast<std::size_t>(length));
      BIO_free(out);
    }
  }
  X509_free(certificate);
  return subject;
}

std::string handshakeFailureReason(const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted || error == boost::asio::error::timed_out) return "timeout";
  if (error == boost::asio::error::eof || error == boost::asio::error::connection_reset ||
      error == ssl::error::stream_truncated) {
    return "closed";
  }
  if (error.category() != boost::asio::error::get_ssl_category()) return "other";
  switch (ERR_GET_REASON(static_cast<unsigned long>(error.value()))) {
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST: return "http_request";
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE: return "no_client_certificate";
    case SSL_R_CERTIFICATE_VERIFY_FAILED: return "client_certificate_rejected";
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION: return "protocol_version";
    case SSL_R_NO_SHARED_CIPHER: return "no_shared_cipher";
    default: return "other";
  }
}

}  // namespace ccm::core
