#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"

// OAuth 2.0 access tokens as the cloud sinks obtain them (Microsoft Entra ID,
// Google's token endpoint and metadata server): reading the token endpoint's
// answer, and keeping a token until shortly before it expires.
namespace ccm::sinks::common {

struct IssuedToken {
  std::string access_token;
  std::chrono::seconds lifetime{0};  // expires_in
};

// RFC 6749 section 5.1: 200 with access_token and expires_in (a number, or a
// string of digits as some Entra endpoints send it). Otherwise the outcome the
// events waiting on the token get, its message starting with `context`:
// transport failures, 408, 429 and 5xx retryable; anything else (a wrong
// secret, an unknown client or scope) permanent, with the error and
// error_description of section 5.2.
std::variant<IssuedToken, sdk::Outcome> readTokenResponse(const sdk::Result<sdk::HttpResponse>& result,
                                                          std::chrono::system_clock::time_point now,
                                                          std::string_view context);

// A token that expires, kept until shortly before it does.
struct CachedToken {
  std::string value;
  std::chrono::system_clock::time_point issued;
  std::chrono::system_clock::time_point expires;

  // Usable until five minutes before expiry (half its lifetime for a shorter
  // one), so no request carries a token that lapses on the way.
  bool usableAt(std::chrono::system_clock::time_point now) const;
};

// A bearer token fetched when none is usable. Thread-safe: the lock is held
// across the fetch, so concurrent deliveries wait for one token instead of
// each asking for their own.
class BearerToken {
public:
  using Fetch = std::function<std::variant<IssuedToken, sdk::Outcome>()>;

  explicit BearerToken(Fetch fetch) : fetch_(std::move(fetch)) {}

  // "Bearer <token>" for a request sent at `now`, or the fetch's failure.
  std::variant<std::string, sdk::Outcome> authorization(std::chrono::system_clock::time_point now);
  // The service refused the token (401): the next authorization() fetches a new one.
  void drop();

private:
  const Fetch fetch_;
  std::mutex mutex_;
  CachedToken token_;
};

}  // namespace ccm::sinks::common
