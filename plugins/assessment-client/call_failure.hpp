#pragma once

#include <string>
#include <variant>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/result.hpp"

namespace ccm::plugins::assessment_client {

// Why one attempt failed, and whether trying again may help.
struct Failure {
  sdk::Error error;
  bool transient = false;
};

// An attempt's value, or its Failure.
template <class T>
using Attempt = std::variant<T, Failure>;

// Connect errors, timeouts and dropped connections may pass; a TLS error
// (certificate, handshake) will not.
inline bool isTransientTransportError(const sdk::Error& error) {
  return error.where == "connect" || error.where == "timeout" || error.where == "protocol";
}

// RFC 9110 15.5.20 / RFC 6585 4: 429 asks to come back later; a 5xx is the
// server's own trouble. Every other status is the answer.
inline bool isTransientStatus(int status) {
  return status == 429 || (status >= 500 && status <= 599);
}

// "503 Service Unavailable: <start of the body>", for messages.
inline std::string describeResponse(const sdk::HttpResponse& response) {
  constexpr std::size_t kBodyShown = 200;
  std::string text = std::to_string(response.status);
  if (!response.reason.empty()) text += " " + response.reason;
  if (!response.body.empty()) {
    text += ": " + response.body.substr(0, kBodyShown);
    if (response.body.size() > kBodyShown) text += "...";
  }
  return text;
}

}  // namespace ccm::plugins::assessment_client
