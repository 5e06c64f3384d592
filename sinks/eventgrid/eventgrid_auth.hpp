#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"
#include "common/oauth_token.hpp"
#include "eventgrid_sink_config.hpp"

namespace ccm::sinks::eventgrid {

using Header = std::pair<std::string, std::string>;

using common::CachedToken;

// Authenticates publish requests in one of the ways Event Grid accepts.
// Thread-safe: deliver() may run concurrently.
class Credential {
public:
  virtual ~Credential() = default;
  // The header for a request sent at `now`, or the outcome every event of
  // that request gets when there is none (the token endpoint failed).
  virtual std::variant<Header, sdk::Outcome> header(std::chrono::system_clock::time_point now) = 0;
  // Event Grid answered 401 to a request: a cached token is dropped, so the
  // next request gets a new one instead of repeating a revoked one.
  virtual void rejected() {}
};

// The credential `config.auth` selects. An Entra credential fetches tokens
// with its own client from `host`, metered as "eventgrid_sink_token_*".
std::unique_ptr<Credential> makeCredential(const EventGridSinkConfig& config, sdk::Host& host);

}  // namespace ccm::sinks::eventgrid
