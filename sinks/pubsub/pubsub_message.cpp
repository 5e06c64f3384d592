#include "pubsub_message.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <optional>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/text.hpp"
#include "common/crypto.hpp"
#include "common/response_outcome.hpp"

namespace ccm::sinks::pubsub {
namespace {

using Attributes = std::vector<std::pair<std::string, std::string>>;
// Refuses invalid UTF-8 rather than writing JSON the service cannot read.
using Writer = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::CrtAllocator,
                                 rapidjson::kWriteValidateEncodingFlag>;

// Binding 3.1.1 and 3.2.1: the media type travels in this attribute.
constexpr std::string_view kContentTypeAttribute = "content-type";
// Binding 3.2.1's example spelling of the JSON event format's media type.
constexpr std::string_view kStructuredContentType = "application/cloudevents+json; charset=utf-8";
// The retry codes of Google's client libraries for Publish (googleapis
// pubsub_grpc_service_config.json).
constexpr std::array<std::string_view, 7> kRetryableStatuses = {
    "ABORTED", "CANCELLED", "DEADLINE_EXCEEDED", "INTERNAL", "RESOURCE_EXHAUSTED", "UNAVAILABLE", "UNKNOWN"};

// Binding 3.1: the HTTP binding's binary message has what Pub/Sub needs (the
// attributes in order with the "ce-" prefix, extensions in their canonical
// string form, data labelled or an event format sent structured); only the
// percent-encoding of header values is undone, since attributes carry any UTF-8.
std::variant<std::pair<Attributes, std::string>, sdk::Outcome> binaryMessage(const sdk::CloudEvent& event) {
  sdk::HttpMessage http = sdk::toBinary(event);
  Attributes attributes;
  for (auto& [header, value] : http.headers) {
    if (sdk::equalsIgnoreCase(header, "Content-Type")) {
      attributes.emplace_back(kContentTypeAttribute, std::move(value));
      continue;
    }
    auto decoded = sdk::percentDecodeHeaderValue(value);
    if (!decoded) return sdk::Outcome::permanent("event " + event.id + ": " + decoded.error().message);
    attributes.emplace_back(header, std::move(decoded.value()));
  }
  return std::pair{std::move(attributes), std::move(http.body)};
}

std::optional<sdk::Outcome> overLimit(const sdk::CloudEvent& event, const Attributes& attributes, std::string_view data,
                                      std::string_view ordering_key) {
  const auto refuse = [&](const std::string& what) {
    return sdk::Outcome::permanent("event " + event.id + ": " + what);
  };
  if (data.size() > kMaxDataBytes) {
    return refuse("data is " + std::to_string(data.size()) + " bytes; Pub/Sub allows " + std::to_string(kMaxDataBytes) +
                  " (10 MB) in a message");
  }
  if (attributes.size() > kMaxAttributes) {
    return refuse("has " + std::to_string(attributes.size()) + " attributes; Pub/Sub allows " +
                  std::to_string(kMaxAttributes) + " in a message");
  }
  for (const auto& [key, value] : attributes) {
    if (key.size() > kMaxAttributeKeyBytes) {
      return refuse("attribute name " + key.substr(0, 64) + "... is " + std::to_string(key.size()) +
                    " bytes; Pub/Sub allows " + std::to_string(kMaxAttributeKeyBytes) + " in an attribute key");
    }
    if (value.size() > kMaxAttributeValueBytes) {
      return refuse("attribute " + key + " is " + std::to_string(value.size()) + " bytes; Pub/Sub allows " +
                    std::to_string(kMaxAttributeValueBytes) +
                    " in an attribute value (mode \"structured\" carries longer attributes in the data)");
    }
  }
  if (ordering_key.size() > kMaxOrderingKeyBytes) {
    return refuse("ordering key (its subject) is " + std::to_string(ordering_key.size()) + " bytes; Pub/Sub allows " +
                  std::to_string(kMaxOrderingKeyBytes));
  }
  return std::nullopt;
}

bool writeString(Writer& writer, std::string_view text) {
  return writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

std::string_view member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return {};
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

// google.rpc.Status in the REST error body: {"error": {"code", "message", "status"}}.
std::pair<std::string, std::string> rpcStatus(std::string_view body) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) return {};
  const auto error = document.FindMember("error");
  if (error == document.MemberEnd()) return {};
  return {std::string(member(error->value, "status")), std::string(member(error->value, "message"))};
}

bool hasOneIdPerMessage(std::string_view body, std::size_t count) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) return false;
  const auto ids = document.FindMember("messageIds");
  return ids != document.MemberEnd() && ids->value.IsArray() && ids->value.Size() == count;
}

}  // namespace

common::Prepared toMessage(const sdk::CloudEvent& event, const MessageMapping& mapping) {
  if (auto invalid = sdk::validate(event)) {
    return sdk::Outcome::permanent("event " + event.id + " is not a valid CloudEvent: " + invalid->message);
  }
  Attributes attributes;
  std::string data;
  if (mapping.mode == ContentMode::Structured) {
    attributes.emplace_back(kContentTypeAttribute, kStructuredContentType);
    data = sdk::toStructured(event);
  } else {
    auto binary = binaryMessage(event);
    if (auto* failed = std::get_if<sdk::Outcome>(&binary)) return std::move(*failed);
    std::tie(attributes, data) = std::get<0>(std::move(binary));
  }
  const std::string ordering_key = mapping.ordering ? event.subject.value_or("") : "";
  if (auto refused = overLimit(event, attributes, data, ordering_key)) return std::move(*refused);

  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  bool written = writer.StartObject();
  // The message must have data or an attribute; binary mode always has attributes.
  if (!data.empty()) {
    writer.Key("data");
    writeString(writer, common::base64Encode(data));
  }
  writer.Key("attributes");
  writer.StartObject();
  for (const auto& [key, value] : attributes)
    written = written && writeString(writer, key) && writeString(writer, value);
  writer.EndObject();
  if (!ordering_key.empty()) {
    writer.Key("orderingKey");
    written = written && writeString(writer, ordering_key);
  }
  writer.EndObject();
  if (!written) return sdk::Outcome::permanent("event " + event.id + ": an attribute is not valid UTF-8");

  const std::size_t bytes = buffer.GetSize();
  if (kRequestFramingBytes + bytes > kMaxRequestBytes) {
    return sdk::Outcome::permanent("event " + event.id + ": a publish request of it alone is " +
                                   std::to_string(kRequestFramingBytes + bytes) + " bytes of JSON; Pub/Sub takes " +
                                   std::to_string(kMaxRequestBytes) +
                                   " (10 MB) in a publish request, and data travels base64-encoded");
  }
  return common::Entry{std::string(buffer.GetString(), bytes), bytes, ordering_key};
}

std::string publishBody(std::span<const common::Entry> entries) {
  return "{\"messages\":" + common::jsonArray(entries) + "}";
}

sdk::Outcome publishOutcome(const sdk::Result<sdk::HttpResponse>& result, std::size_t count,
                            std::chrono::system_clock::time_point now) {
  if (!result) return common::transportOutcome(result.error());
  const auto& response = result.value();
  if (response.status >= 200 && response.status < 300) {
    if (hasOneIdPerMessage(response.body, count)) return sdk::Outcome::delivered();
    return sdk::Outcome::retryable("publish answered HTTP " + std::to_string(response.status) +
                                   " without one message ID per message: " + common::bodyExcerpt(response.body));
  }
  const auto [status, message] = rpcStatus(response.body);
  if (status.empty()) {
    return common::failureOf(response, common::isRetryableStatus(response.status), common::bodyExcerpt(response.body),
                             now);
  }
  const bool retryable = std::ranges::find(kRetryableStatuses, status) != kRetryableStatuses.end();
  return common::failureOf(response, retryable, common::bodyExcerpt(status + ": " + message), now);
}

}  // namespace ccm::sinks::pubsub
