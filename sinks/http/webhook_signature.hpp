#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/host.hpp"

// Standard Webhooks (github.com/standard-webhooks, spec v1): the headers that
// let a receiver check that a request came from us and is fresh. Pure and
// thread-safe.
namespace ccm::sinks::http {

// The HMAC key of a secret in the spec's form, "whsec_" then the key in
// base64; std::nullopt for anything else.
std::optional<std::string> webhookKeyOf(std::string_view secret);

// webhook-id, webhook-timestamp (seconds since the epoch) and
// webhook-signature: "v1,<base64 HMAC-SHA256 of {id}.{timestamp}.{body}>"
// for each key, space-separated, so a receiver holding either key of a
// rotation accepts the request.
sdk::HttpHeaders webhookHeaders(std::string_view id, std::int64_t timestamp, std::string_view body,
                                const std::vector<std::string>& keys);

// The webhook-id of a batch request: the same for the same events (a retry),
// different when the batch differs, so a receiver that drops repeated ids
// never drops an event it has not seen.
std::string batchWebhookId(const std::vector<sdk::CloudEvent>& batch);

}  // namespace ccm::sinks::http
