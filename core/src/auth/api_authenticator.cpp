#include "auth/api_authenticator.hpp"

#include <algorithm>
#include <cctype>

#include "auth/jwt_verifier.hpp"
#include "ccm/sdk/secret.hpp"
#include "auth/digests.hpp"

namespace ccm::core {
namespace {

std::optional<std::string> fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int byte = 0;
    for (char c : hex.substr(i, 2)) {
      const int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                        : (c >= 'a' && c <= 'f')                     ? c - 'a' + 10
                        : (c >= 'A' && c <= 'F')                     ? c - 'A' + 10
                                                                     : -1;
      if (digit < 0) return std::nullopt;
      byte = byte * 16 + digit;
    }
    out.push_back(static_cast<char>(byte));
  }
  return out;
}

sdk::Result<std::string> keyHash(const ApiKeyConfig& key) {
  const std::string at = key.pointer + "/key_sha256";
  std::string hex = key.key_sha256;
  if (hex.starts_with("env:") || hex.starts_with("file:")) {
    auto secret = sdk::readSecretReference(hex);
    if (!secret) return sdk::Error{at, at + ": " + secret.error().message};
    hex = std::string(trimOws(secret.value()));
  }
  auto bytes = hex.size() == 64 ? fromHex(hex) : std::nullopt;
  if (!bytes) {
    return sdk::Error{at, at + ": \"" + key.key_sha256 + "\" must give 64 hex digits (the key's SHA-256, e.g. from "
                                                         "`printf %s \"$KEY\" | sha256sum`)"};
  }
  return std::move(*bytes);
}

}  // namespace

GrantedRoles grantedRoles(const std::vector<std::string>& names) {
  GrantedRoles granted{names, std::nullopt};
  for (const auto& name : names) {
    if (auto role = roleNamed(name); role && (!granted.highest || *role > *granted.highest)) granted.highest = role;
  }
  return granted;
}

sdk::Result<std::shared_ptr<const ApiAuthenticator>> ApiAuthenticator::create(
    const ApiAuthConfig& config, std::shared_ptr<const TokenVerifier> tokens) {
  auto authenticator = std::make_shared<ApiAuthenticator>();
  authenticator->tokens_ = std::move(tokens);
  for (const auto& key : config.api_keys) {
    auto hash = keyHash(key);
    if (!hash) return hash.error();
    authenticator->api_keys_.push_back({key.name, std::move(hash.value()), grantedRoles(key.roles)});
  }
  for (const auto& certificate : config.client_certificates) {
    authenticator->certificates_.push_back({certificate.subject, grantedRoles(certificate.roles)});
  }
  for (auto role : {Role::Viewer, Role::Operator, Role::Admin}) {
    const std::string ours(roleName(role));
    const auto named = config.role_names.find(ours);
    authenticator->token_role_names_[named == config.role_names.end() ? ours : named->second] = role;
  }
  authenticator->public_paths_ = config.public_paths;
  return std::shared_ptr<const ApiAuthenticator>(std::move(authenticator));
}

bool ApiAuthenticator::isPublic(std::string_view path) const {
  return std::find(public_paths_.begin(), public_paths_.end(), path) != public_paths_.end();
}

std::variant<Principal, AuthRefusal> ApiAuthenticator::authenticate(const HttpRequest& request) const {
  if (const auto* authorization = request.header("Authorization")) {
    const auto bearer = bearerCredential(*authorization);
    if (!bearer) return AuthRefusal{ErrorCategory::Unauthenticated, "malformed", "header \"Authorization\" must use the Bearer scheme", ""};
    const auto credential = *bearer;
    if (credential.empty()) return AuthRefusal{ErrorCategory::Unauthenticated, "malformed", "the bearer credential is empty", ""};
    return looksLikeJwt(credential) ? fromToken(credential) : fromApiKey(credential);
  }
  if (!request.client_subject.empty()) {
    const auto mapped = std::find_if(certificates_.begin(), certificates_.end(),
                                     [&](const auto& c) { return c.subject == request.client_subject; });
    // A verified certificate names the caller even without roles: the refusal is then a 403.
    return Principal{"certificate", request.client_subject, "",
                     mapped == certificates_.end() ? GrantedRoles{} : mapped->roles, "server.auth.client_certificates"};
  }
  return AuthRefusal{ErrorCategory::Unauthenticated, "missing", "this route needs credentials: \"Authorization: Bearer <token or API key>\"", ""};
}

std::variant<Principal, AuthRefusal> ApiAuthenticator::fromToken(std::string_view token) const {
  if (!tokens_) {
    return AuthRefusal{ErrorCategory::Unauthenticated, "malformed", "a JWT was sent, but this gateway accepts no tokens (no server.auth.oidc)",
                       "invalid_token"};
  }
  auto verified = tokens_->verify(token, TokenVerifier::Refetch::Wait);
  if (auto* refusal = std::get_if<TokenRefusal>(&verified)) {
    return AuthRefusal{refusal->category, refusal->reason, refusal->detail, refusal->category == ErrorCategory::Unauthenticated ? "invalid_token" : ""};
  }
  auto& token_claims = std::get<VerifiedToken>(verified);
  return Principal{"token", token_claims.username, token_claims.subject, mappedTokenRoles(token_claims.roles),
                   tokens_->settings().roles_claim};
}

std::variant<Principal, AuthRefusal> ApiAuthenticator::fromApiKey(std::string_view key) const {
  const auto hash = sha256(key);
  const ApiKey* found = nullptr;
  for (const auto& candidate : api_keys_) {
    if (constantTimeEquals(candidate.sha256, hash)) found = &candidate;
  }
  if (found == nullptr) return AuthRefusal{ErrorCategory::Unauthenticated, "unknown_api_key", "the bearer value is not a known API key", "invalid_token"};
  return Principal{"api_key", found->name, "", found->roles, "server.auth.api_keys"};
}

GrantedRoles ApiAuthenticator::mappedTokenRoles(const std::vector<std::string>& names) const {
  GrantedRoles granted{names, std::nullopt};
  for (const auto& name : names) {
    if (auto it = token_role_names_.find(name); it != token_role_names_.end()) {
      if (!granted.highest || it->second > *granted.highest) granted.highest = it->second;
    }
  }
  return granted;
}

}  // namespace ccm::core
