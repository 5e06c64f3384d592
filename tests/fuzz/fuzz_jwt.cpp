// OIDC token verification as the API's door sees it: the first line is a JWK
// Set document (as the issuer's jwks_uri serves it), the rest a bearer token.
// No input crashes the JWK parser or the verifier.
#include "auth/jwt_verifier.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = ccm::fuzz::asText(data, size);
  const auto newline = text.find('\n');
  const auto jwks = text.substr(0, newline);
  const auto token = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  auto keys = ccm::core::JwkSet::parse(jwks);
  if (!keys) keys = ccm::core::JwkSet::parse(R"({"keys":[]})");
  if (!keys) ccm::fuzz::propertyFailed("an empty JWK Set is refused");
  const ccm::core::JwtExpectations expect{"https://issuer.example", "ccm-gateway", std::chrono::seconds(60)};
  (void)ccm::core::looksLikeJwt(token);
  (void)ccm::core::verifyJwt(token, keys.value(), expect, std::chrono::system_clock::time_point(std::chrono::seconds(1767225600)));
  return 0;
}
