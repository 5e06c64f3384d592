#include "entra_token.hpp"

#include "common/percent_encoding.hpp"

namespace ccm::sinks::eventgrid {

std::string tokenRequestBody(const EntraSettings& entra) {
  using common::percentEncode;
  using common::Space;
  return "grant_type=client_credentials&client_id=" + percentEncode(entra.client_id, Space::Plus) +
         "&client_secret=" + percentEncode(entra.client_secret, Space::Plus) +
         "&scope=" + percentEncode(entra.scope, Space::Plus);
}

}  // namespace ccm::sinks::eventgrid
