#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "auth/jwk_set.hpp"
#include "ccm/sdk/host.hpp"

namespace ccm::core {

// An OIDC issuer's signing keys: its discovery document
// ({issuer}/.well-known/openid-configuration) names the jwks_uri, whose JWK
// Set is fetched on a thread of its own at once, then every `refresh`; while
// no fetch has succeeded it is retried with backoff (1 s doubling to 30 s)
// and keys() is empty, so callers answer 503. A token naming a key the set
// lacks may fetch again at once, at most once per `min_refetch`: that is how
// a key rotation is picked up. Thread-safe.
class OidcKeySource {
public:
  struct Options {
    std::string issuer;
    std::chrono::seconds refresh{3600};
    std::chrono::seconds min_refetch{10};
    std::chrono::milliseconds timeout{5000};  // connect and read, per request
  };

  OidcKeySource(Options options, std::shared_ptr<sdk::HttpClient> client);
  ~OidcKeySource();
  OidcKeySource(const OidcKeySource&) = delete;
  OidcKeySource& operator=(const OidcKeySource&) = delete;

  const std::string& issuer() const { return options_.issuer; }
  // The last keys fetched; null until a fetch succeeded.
  std::shared_ptr<const JwkSet> keys() const;
  // Why there are no keys yet ("" once there are).
  std::string unavailableReason() const;

  // A token named a key the set lacks. Blocking: fetches now, unless a fetch
  // started within min_refetch; true when the keys were fetched anew.
  bool refetchNow();
  // The same without waiting (for callers on an event loop): the refresh
  // thread fetches soon, unless a fetch started within min_refetch.
  void refetchSoon();

private:
  // One discovery + JWKS round; the error names the URL and what failed.
  sdk::Result<JwkSet> fetch() const;
  // Fetches and stores the result; called with fetch_mutex_ held.
  bool fetchAndStore();
  bool mayRefetch();
  void run();

  Options options_;
  std::shared_ptr<sdk::HttpClient> client_;
  mutable std::mutex mutex_;
  std::shared_ptr<const JwkSet> keys_;
  std::string unavailable_ = "the issuer's keys have not been fetched yet";
  std::chrono::steady_clock::time_point last_fetch_{};
  bool fetch_soon_ = false;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::mutex fetch_mutex_;  // one fetch at a time
  std::thread thread_;
};

}  // namespace ccm::core
