#include "ingress/credentials.hpp"

#include <algorithm>
#include <cctype>
#include <variant>


#include "ccm/sdk/secret.hpp"
#include "ccm/sdk/text.hpp"
#include "http/http_message.hpp"

namespace ccm::core {
namespace {

std::optional<std::string_view> header(const sdk::Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (sdk::equalsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::string lowerCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The bearer value of "Authorization: Bearer <value>", or why there is none.
std::variant<std::string_view, CredentialFailure> bearerValue(const sdk::Headers& headers) {
  const auto value = header(headers, "Authorization");
  if (!value) return CredentialFailure{ErrorCategory::Unauthenticated, "Authorization", "header \"Authorization: Bearer <token>\" is missing"};
  const auto credential = bearerCredential(*value);
  if (!credential) return CredentialFailure{ErrorCategory::Unauthenticated, "Authorization", "header \"Authorization\" must use the Bearer scheme"};
  return *credential;
}

std::optional<CredentialFailure> checkBearer(const std::string& token, const sdk::Headers& headers) {
  auto value = bearerValue(headers);
  if (auto* failure = std::get_if<CredentialFailure>(&value)) return std::move(*failure);
  // Hashing both sides first makes the comparison length-independent too.
  if (!constantTimeEquals(sha256(std::get<std::string_view>(value)), sha256(token))) {
    return CredentialFailure{ErrorCategory::Forbidden, "Authorization", "the bearer token is not this source's"};
  }
  return std::nullopt;
}

std::optional<CredentialFailure> checkToken(const Credentials& credentials, const sdk::Headers& headers) {
  auto value = bearerValue(headers);
  if (auto* failure = std::get_if<CredentialFailure>(&value)) return std::move(*failure);
  auto verified = credentials.tokens->verify(std::get<std::string_view>(value), TokenVerifier::Refetch::InBackground);
  if (auto* refusal = std::get_if<TokenRefusal>(&verified)) {
    return CredentialFailure{refusal->category, "Authorization", "the bearer token was refused: " + refusal->detail};
  }
  const auto& token = std::get<VerifiedToken>(verified);
  if (std::find(token.roles.begin(), token.roles.end(), credentials.required_role) == token.roles.end()) {
    return CredentialFailure{ErrorCategory::Forbidden, "Authorization", "the token of \"" + token.username + "\" does not hold role \"" +
                                                       credentials.required_role + "\" under " +
                                                       credentials.tokens->settings().roles_claim};
  }
  return std::nullopt;
}

std::optional<CredentialFailure> checkSignature(const Credentials& credentials, const sdk::Headers& headers,
                                                std::string_view body) {
  const auto value = header(headers, credentials.header);
  if (!value) {
    return CredentialFailure{ErrorCategory::Unauthenticated, credentials.header,
                             "header \"" + credentials.header + "\" with the body's HMAC-SHA256 is missing"};
  }
  std::string_view signature = trimOws(*value);
  if (signature.size() > 7 && sdk::equalsIgnoreCase(signature.substr(0, 7), "sha256=")) signature.remove_prefix(7);
  if (!constantTimeEquals(lowerCase(signature), hmacSha256Hex(credentials.secret, body))) {
    return CredentialFailure{ErrorCategory::Forbidden, credentials.header,
                             "header \"" + credentials.header + "\" is not the HMAC-SHA256 of the body under this "
                             "source's secret"};
  }
  return std::nullopt;
}

}  // namespace

sdk::Result<Credentials> resolveCredentials(const IngressAuthConfig& config, const TokenVerifierFor& verifier_for) {
  Credentials credentials;
  if (config.jwt) {
    credentials.kind = Credentials::Kind::Jwt;
    credentials.required_role = config.jwt->required_role;
    if (verifier_for) credentials.tokens = verifier_for(config.jwt->oidc);
    if (!credentials.tokens) {
      return sdk::Error{config.pointer + "/jwt", config.pointer + "/jwt: OIDC tokens are not available here"};
    }
    return credentials;
  }
  std::string reference = config.bearer_token;
  std::string field = "bearer_token";
  if (!config.hmac_secret.empty()) {
    credentials.kind = Credentials::Kind::Hmac;
    credentials.header = config.header;
    reference = config.hmac_secret;
    field = "hmac_secret";
  }
  auto secret = sdk::readSecretReference(reference);
  const std::string at = config.pointer + "/" + field;
  if (!secret) return sdk::Error{at, at + ": " + secret.error().message};
  if (secret.value().empty()) return sdk::Error{at, at + ": \"" + reference + "\" resolves to an empty secret"};
  credentials.secret = std::move(secret.value());
  return credentials;
}

std::optional<CredentialFailure> checkCredentials(const Credentials& credentials, const sdk::Headers& headers,
                                                  std::string_view body) {
  switch (credentials.kind) {
    case Credentials::Kind::Bearer:
      return checkBearer(credentials.secret, headers);
    case Credentials::Kind::Jwt:
      return checkToken(credentials, headers);
    case Credentials::Kind::Hmac:
      break;
  }
  return checkSignature(credentials, headers, body);
}

}  // namespace ccm::core
