#include "webhook_signature.hpp"

#include "common/crypto.hpp"

namespace ccm::sinks::http {

namespace {
constexpr std::string_view kSecretPrefix = "whsec_";
}  // namespace

std::optional<std::string> webhookKeyOf(std::string_view secret) {
  if (!secret.starts_with(kSecretPrefix)) return std::nullopt;
  return common::base64Decode(secret.substr(kSecretPrefix.size()));
}

sdk::HttpHeaders webhookHeaders(std::string_view id, std::int64_t timestamp, std::string_view body,
                                const std::vector<std::string>& keys) {
  const std::string stamp = std::to_string(timestamp);
  const std::string content = std::string(id) + "." + stamp + "." + std::string(body);
  std::string signatures;
  for (const auto& key : keys) {
    if (!signatures.empty()) signatures += ' ';
    signatures += "v1," + common::base64Encode(common::hmacSha256(key, content));
  }
  return {{"webhook-id", std::string(id)}, {"webhook-timestamp", stamp}, {"webhook-signature", signatures}};
}

std::string batchWebhookId(const std::vector<sdk::CloudEvent>& batch) {
  // Length-prefixed, so no two different lists of (source, id) give one text.
  std::string identities;
  for (const auto& event : batch) {
    for (const std::string* part : {&event.source, &event.id}) {
      identities += std::to_string(part->size()) + ':' + *part;
    }
  }
  return "batch_" + common::sha256Hex(identities);
}

}  // namespace ccm::sinks::http
