#pragma once

#include <string>

namespace ccm::core {

// server.tls: the listener's certificate and how it treats client
// certificates (docs/configuration.md#tls).
struct TlsSettings {
  enum class ClientAuth { None, Optional, Required };

  std::string cert_file;       // PEM: the certificate, then any intermediates
  std::string key_file;        // PEM private key of that certificate
  std::string client_ca_file;  // PEM CAs that client certificates must chain to
  ClientAuth client_auth = ClientAuth::None;
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

}  // namespace ccm::core
