#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/error.hpp"
#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/source.hpp"
#include "config/gateway_config.hpp"
#include "engine/command_catalog.hpp"
#include "engine/lifecycle.hpp"
#include "ingress/claim_table.hpp"
#include "ingress/credentials.hpp"

// POST /api/v1/events without the HTTP: validation, routing to sources,
// credentials, data schemas, deduplication and the one transaction that logs
// and applies a request's events (docs/ingress.md).
namespace ccm::core {

// A configured source instance with its resolved credentials.
struct IngressSource {
  std::string name;
  std::shared_ptr<sdk::Source> source;
  Credentials credentials;
};

// Why a request was refused, as problem details extension members say it.
struct IngressRejection {
  ErrorCategory category = ErrorCategory::Invalid;
  std::string detail;
  std::string attribute;              // CloudEvents attribute or header at fault (400, 401, 403, 415)
  std::string pointer;                // JSON pointer of the failing value (422)
  std::optional<std::size_t> member;  // batch member index
};

// What happened to each event of an accepted request, in order.
struct IngressReceipt {
  enum class Result { Applied, Unchanged, Forwarded, Duplicate };
  struct Item {
    std::string id;
    std::string source;
    std::string type;
    Result result;
  };
  std::vector<Item> items;
};

// "applied", "unchanged", "forwarded" or "duplicate", as the receipt and the logs name it.
const char* resultName(IngressReceipt::Result result);

using IngressOutcome = std::variant<IngressReceipt, IngressRejection>;

class EventIngress {
public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Fails when claims overlap or a data schema does not compile.
  static sdk::Result<std::unique_ptr<EventIngress>> create(GatewayConfig::Ingress settings,
                                                          std::vector<IngressSource> sources,
                                                          std::optional<Credentials> forward_credentials,
                                                          Lifecycle& lifecycle, Clock now);

  // One request, its body already read within max_body_bytes: checks and
  // parses it on the caller's thread, and `answer` runs once with the outcome
  // (at once when it is refused before the store; else on the committing
  // thread after the commit, so it must be quick). Thread-safe. A 503 when the
  // store failed (nothing applied).
  using IngressAnswer = std::function<void(IngressOutcome outcome)>;
  void acceptAsync(const sdk::Headers& headers, std::string_view body, IngressAnswer answer) const;

  const GatewayConfig::Ingress& settings() const { return settings_; }

private:
  EventIngress(GatewayConfig::Ingress settings, std::vector<IngressSource> sources,
               std::optional<Credentials> forward_credentials, ClaimTable claims, Lifecycle& lifecycle, Clock now);

  // Each event's claim (nullptr: forwarded), checked against its credentials.
  std::variant<std::vector<const Claim*>, IngressRejection> route(const std::vector<sdk::CloudEvent>& events,
                                                                  const sdk::Headers& headers, std::string_view body,
                                                                  bool batch) const;
  struct Applying;
  void apply(std::vector<sdk::CloudEvent> events, std::vector<const Claim*> claims, std::vector<EventTrace> traces,
             bool batch, IngressAnswer answer) const;
  IngressOutcome answered(const Applying& state, const Lifecycle::IngressResults& results,
                          std::exception_ptr error) const;

  GatewayConfig::Ingress settings_;
  std::vector<IngressSource> sources_;
  std::optional<Credentials> forward_credentials_;
  ClaimTable claims_;
  Lifecycle& lifecycle_;
  CommandCatalog commands_;
  Clock now_;
};

// Builds the ingress from the config and the source instances the gateway
// made, in config order (sources[i] is config.sources[i]); resolves every
// credential (a jwt source's issuer through `verifier_for`). Errors name the
// config pointer or the sources at fault.
sdk::Result<std::unique_ptr<EventIngress>> makeEventIngress(const GatewayConfig& config,
                                                           const std::vector<std::shared_ptr<sdk::Source>>& sources,
                                                           Lifecycle& lifecycle, const TokenVerifierFor& verifier_for);

}  // namespace ccm::core
