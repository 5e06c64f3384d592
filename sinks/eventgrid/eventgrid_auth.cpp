#include "eventgrid_auth.hpp"

#include <mutex>

#include "common/crypto.hpp"
#include "common/metered_http_client.hpp"
#include "entra_token.hpp"
#include "sas_token.hpp"

namespace ccm::sinks::eventgrid {
namespace {

// Custom topics read the key from aeg-sas-key; namespace topics from
// "Authorization: SharedAccessKey <key>" (Event Grid access key docs).
class AccessKeyCredential final : public Credential {
public:
  explicit AccessKeyCredential(Header header) : header_(std::move(header)) {}
  std::variant<Header, sdk::Outcome> header(std::chrono::system_clock::time_point) override { return header_; }

private:
  const Header header_;
};

// aeg-sas-token, signed afresh once the previous token nears its expiry.
class SasCredential final : public Credential {
public:
  SasCredential(std::string resource, const std::string& key, std::chrono::seconds lifetime)
      : resource_(std::move(resource)), key_bytes_(common::base64Decode(key).value()), lifetime_(lifetime) {}

  std::variant<Header, sdk::Outcome> header(std::chrono::system_clock::time_point now) override {
    std::lock_guard lock(mutex_);
    if (!token_.usableAt(now)) {
      // The expiry is written in whole seconds; the cache keeps what the token says.
      const auto expires = std::chrono::floor<std::chrono::seconds>(now + lifetime_);
      token_ = {sasToken(resource_, expires, key_bytes_), now, expires};
    }
    return Header{"aeg-sas-token", token_.value};
  }

private:
  const std::string resource_;
  const std::string key_bytes_;
  const std::chrono::seconds lifetime_;
  std::mutex mutex_;
  CachedToken token_;
};

// A Microsoft Entra ID access token, fetched when there is none usable.
class EntraCredential final : public Credential {
public:
  EntraCredential(EntraSettings settings, sdk::Host& host, const sdk::HttpClientOptions& options)
      : settings_(std::move(settings)),
        host_(host),
        client_(host, options, "eventgrid sink token"),
        token_([this] { return fetch(); }) {}

  std::variant<Header, sdk::Outcome> header(std::chrono::system_clock::time_point now) override {
    auto authorization = token_.authorization(now);
    if (auto* failure = std::get_if<sdk::Outcome>(&authorization)) return std::move(*failure);
    return Header{"Authorization", std::get<std::string>(std::move(authorization))};
  }

  void rejected() override { token_.drop(); }

private:
  std::variant<common::IssuedToken, sdk::Outcome> fetch() {
    const sdk::HttpRequest request{.method = "POST",
                                   .url = settings_.token_url,
                                   .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
                                   .body = tokenRequestBody(settings_)};
    const auto result = client_.send(request);
    return common::readTokenResponse(result, host_.clock().now(), kEntraTokenFailure);
  }

  const EntraSettings settings_;
  sdk::Host& host_;
  common::MeteredHttpClient client_;
  common::BearerToken token_;
};

}  // namespace

std::unique_ptr<Credential> makeCredential(const EventGridSinkConfig& config, sdk::Host& host) {
  switch (config.auth) {
    case AuthType::AccessKey:
      return std::make_unique<AccessKeyCredential>(config.topic_type == TopicType::Namespace
                                                       ? Header{"Authorization", "SharedAccessKey " + config.key}
                                                       : Header{"aeg-sas-key", config.key});
    case AuthType::Sas:
      return std::make_unique<SasCredential>(config.resource, config.key, config.sas_lifetime);
    case AuthType::Entra:
      break;
  }
  return std::make_unique<EntraCredential>(config.entra, host, config.client);
}

}  // namespace ccm::sinks::eventgrid
