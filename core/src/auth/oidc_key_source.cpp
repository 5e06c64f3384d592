#include "auth/oidc_key_source.hpp"

#include <algorithm>

#include <Poco/Logger.h>
#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <rapidjson/document.h>

#include "ccm/sdk/codec.hpp"
#include "http/host_address.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {
namespace {

constexpr std::size_t kMaxDocumentDepth = 16;
// A realm's JWKS is a few KiB; parsing is bounded even if an issuer sends more.
constexpr std::size_t kMaxDocumentBytes = 1 << 20;

Poco::Logger& authLog() { return Poco::Logger::get("ccm.auth"); }

sdk::Result<std::string> getJson(sdk::HttpClient& client, const std::string& url) {
  sdk::HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.headers.emplace_back("Accept", "application/json");
  auto response = client.send(request);
  if (!response) return sdk::Error{url, "GET " + url + ": " + response.error().message};
  if (response.value().status != 200) {
    return sdk::Error{url, "GET " + url + ": HTTP " + std::to_string(response.value().status)};
  }
  if (response.value().body.size() > kMaxDocumentBytes) {
    return sdk::Error{url, "GET " + url + ": the document is larger than " + std::to_string(kMaxDocumentBytes) +
                               " bytes"};
  }
  if (sdk::jsonNestsDeeperThan(response.value().body, kMaxDocumentDepth)) {
    return sdk::Error{url, "GET " + url + ": the document nests deeper than " + std::to_string(kMaxDocumentDepth) +
                               " levels"};
  }
  return std::move(response.value().body);
}

// TLS for the keys as for the tokens: https://, or http:// on this machine.
bool acceptableKeyUrl(const std::string& url) {
  try {
    const Poco::URI uri(url);
    return uri.getScheme() == "https" || (uri.getScheme() == "http" && isLoopbackHost(uri.getHost()));
  } catch (const Poco::Exception&) {
    return false;
  }
}

}  // namespace

OidcKeySource::OidcKeySource(Options options, std::shared_ptr<sdk::HttpClient> client)
    : options_(std::move(options)), client_(std::move(client)), thread_([this] { run(); }) {}

OidcKeySource::~OidcKeySource() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::shared_ptr<const JwkSet> OidcKeySource::keys() const {
  std::lock_guard lock(mutex_);
  return keys_;
}

std::string OidcKeySource::unavailableReason() const {
  std::lock_guard lock(mutex_);
  return keys_ ? "" : unavailable_;
}

sdk::Result<JwkSet> OidcKeySource::fetch() const {
  std::string base = options_.issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string discovery_url = base + "/.well-known/openid-configuration";
  auto discovery_text = getJson(*client_, discovery_url);
  if (!discovery_text) return discovery_text.error();
  rapidjson::Document discovery;
  discovery.Parse(discovery_text.value().data(), discovery_text.value().size());
  if (discovery.HasParseError() || !discovery.IsObject()) {
    return sdk::Error{discovery_url, discovery_url + ": not a JSON object"};
  }
  // OpenID Connect Discovery 4.3: the document must name the issuer it was asked of.
  const auto issuer = discovery.FindMember("issuer");
  if (issuer == discovery.MemberEnd() || !issuer->value.IsString() ||
      std::string_view(issuer->value.GetString(), issuer->value.GetStringLength()) != options_.issuer) {
    return sdk::Error{discovery_url, discovery_url + ": \"issuer\" is not \"" + options_.issuer + "\""};
  }
  const auto jwks_uri = discovery.FindMember("jwks_uri");
  if (jwks_uri == discovery.MemberEnd() || !jwks_uri->value.IsString()) {
    return sdk::Error{discovery_url, discovery_url + ": \"jwks_uri\" is missing"};
  }
  const std::string jwks_url = jwks_uri->value.GetString();
  if (!acceptableKeyUrl(jwks_url)) {
    return sdk::Error{discovery_url, discovery_url + ": jwks_uri \"" + jwks_url +
                                         "\" must use https:// (http:// only on a loopback address)"};
  }
  auto jwks_text = getJson(*client_, jwks_url);
  if (!jwks_text) return jwks_text.error();
  auto keys = JwkSet::parse(jwks_text.value());
  if (!keys) return sdk::Error{jwks_url, jwks_url + ": " + keys.error().message};
  if (keys.value().keys().empty()) return sdk::Error{jwks_url, jwks_url + ": no signing key this gateway can use"};
  return keys;
}

bool OidcKeySource::fetchAndStore() {
  {
    std::lock_guard lock(mutex_);
    last_fetch_ = std::chrono::steady_clock::now();
    fetch_soon_ = false;
  }
  auto keys = fetch();
  std::lock_guard lock(mutex_);
  if (!keys) {
    unavailable_ = "the issuer's keys could not be fetched: " + keys.error().message;
    logWithFields(authLog(), sdk::LogLevel::Warning, "OIDC keys not fetched",
                  {{"issuer", options_.issuer}, {"error", keys.error().message}, {"keeping", keys_ ? "the last keys" : "none"}});
    return false;
  }
  for (const auto& refused : keys.value().refused()) {
    logWithFields(authLog(), sdk::LogLevel::Warning, "OIDC key left out",
                  {{"issuer", options_.issuer}, {"error", refused.message}});
  }
  logWithFields(authLog(), sdk::LogLevel::Info, "OIDC keys fetched",
                {{"issuer", options_.issuer}, {"keys", std::to_string(keys.value().keys().size())}});
  keys_ = std::make_shared<const JwkSet>(std::move(keys.value()));
  return true;
}

bool OidcKeySource::mayRefetch() {
  std::lock_guard lock(mutex_);
  return std::chrono::steady_clock::now() - last_fetch_ >= options_.min_refetch;
}

bool OidcKeySource::refetchNow() {
  // Never queue behind a running fetch: tokens naming made-up keys must not
  // hold the API's workers while the issuer is slow.
  if (!mayRefetch()) return false;
  std::unique_lock fetching(fetch_mutex_, std::try_to_lock);
  if (!fetching.owns_lock() || !mayRefetch()) return false;
  return fetchAndStore();
}

void OidcKeySource::refetchSoon() {
  if (!mayRefetch()) return;
  {
    std::lock_guard lock(mutex_);
    fetch_soon_ = true;
  }
  wake_.notify_all();
}

void OidcKeySource::run() {
  std::chrono::milliseconds retry{1000};
  for (;;) {
    bool fetched;
    {
      std::lock_guard fetching(fetch_mutex_);
      fetched = fetchAndStore();
    }
    std::unique_lock lock(mutex_);
    // Without keys every protected call fails: retry soon. With keys, a failed
    // refresh keeps them and is retried then too.
    const auto wait = fetched ? std::chrono::duration_cast<std::chrono::milliseconds>(options_.refresh) : retry;
    retry = fetched ? std::chrono::milliseconds(1000) : std::min(retry * 2, std::chrono::milliseconds(30000));
    wake_.wait_for(lock, wait, [this] { return stopping_ || fetch_soon_; });
    if (stopping_) return;
  }
}

}  // namespace ccm::core
