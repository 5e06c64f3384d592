#include "auth/token_verifier.hpp"

#include "auth/jwt_verifier.hpp"

namespace ccm::core {

TokenVerifier::TokenVerifier(std::shared_ptr<OidcKeySource> keys, OidcSettings settings)
    : keys_(std::move(keys)), settings_(std::move(settings)) {}

std::variant<VerifiedToken, TokenRefusal> TokenVerifier::verify(std::string_view token, Refetch refetch) const {
  auto keys = keys_->keys();
  if (!keys) return TokenRefusal{ErrorCategory::Unavailable, "issuer_unavailable", keys_->unavailableReason()};
  const JwtExpectations expectations{settings_.issuer, settings_.audience,
                                     std::chrono::seconds(settings_.clock_skew_seconds)};
  auto result = verifyJwt(token, *keys, expectations, std::chrono::system_clock::now());
  if (const auto* failure = std::get_if<JwtFailure>(&result); failure && failure->reason == "unknown_key") {
    if (refetch == Refetch::InBackground) {
      keys_->refetchSoon();
    } else {
      keys_->refetchNow();
    }
    // Keys fetched meanwhile, by this call or another, may hold the token's.
    if (auto fresh = keys_->keys(); fresh != keys) {
      result = verifyJwt(token, *fresh, expectations, std::chrono::system_clock::now());
    }
  }
  if (auto* verified = std::get_if<VerifiedJwt>(&result)) {
    // Keycloak marks its ID and refresh tokens; only access tokens call APIs.
    const auto typ = verified->claims->FindMember("typ");
    if (typ != verified->claims->MemberEnd() && typ->value.IsString() && std::string_view(typ->value.GetString()) != "Bearer") {
      return TokenRefusal{ErrorCategory::Unauthenticated, "token_type",
                          "token is a \"" + std::string(typ->value.GetString()) + "\" token, not an access token"};
    }
  }
  if (auto* failure = std::get_if<JwtFailure>(&result)) return TokenRefusal{ErrorCategory::Unauthenticated, failure->reason, failure->description};
  auto& verified = std::get<VerifiedJwt>(result);
  VerifiedToken out{verified.subject, verified.username.empty() ? verified.subject : verified.username, {}};
  out.roles = rolesAt(*verified.claims, settings_.roles_claim);
  return out;
}

std::vector<std::string> rolesAt(const rapidjson::Value& claims, std::string_view path) {
  const rapidjson::Value* at = &claims;
  while (!path.empty()) {
    const auto dot = path.find('.');
    const auto name = path.substr(0, dot);
    if (!at->IsObject()) return {};
    const auto member = at->FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
    if (member == at->MemberEnd()) return {};
    at = &member->value;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  std::vector<std::string> roles;
  if (at->IsString()) roles.emplace_back(at->GetString(), at->GetStringLength());
  if (at->IsArray()) {
    for (const auto& item : at->GetArray()) {
      if (item.IsString()) roles.emplace_back(item.GetString(), item.GetStringLength());
    }
  }
  return roles;
}

}  // namespace ccm::core
