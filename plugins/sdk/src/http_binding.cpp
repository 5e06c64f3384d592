// CloudEvents HTTP protocol binding 1.0.2, binary content mode (section 3.1).
#include <set>

#include "ccm/sdk/codec.hpp"
#include "codec_detail.hpp"

namespace ccm::sdk {

namespace {

constexpr std::string_view kAttributePrefix = "ce-";

std::string extensionText(const ExtensionValue& value) {
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  if (const auto* number = std::get_if<std::int32_t>(&value)) return std::to_string(*number);
  return std::get<std::string>(value);
}

// HTTP binding 3.1.1: JSON (or unstated) content types carry JSON data, which
// must be well-formed; text/* that is UTF-8 is text; anything else is bytes.
std::optional<Error> readBody(std::string_view body, const ParseLimits& limits, CloudEvent& event) {
  if (body.empty()) return std::nullopt;
  if (!event.datacontenttype || detail::isJsonMediaType(*event.datacontenttype)) {
    auto json = detail::compactJsonValue(body, limits.max_depth, "data");
    if (!json) return json.error();
    event.data = Data::json(std::move(json.value()));
  } else if (detail::mediaTypeEssence(*event.datacontenttype).starts_with("text/") && detail::isValidUtf8(body)) {
    event.data = Data::text(std::string(body));
  } else {
    event.data = Data::bytes(std::string(body));
  }
  return std::nullopt;
}

}  // namespace

HttpMessage toBinary(const CloudEvent& event) {
  // A receiver takes a CloudEvents format in Content-Type for structured or
  // batch mode (HTTP binding 3.1), so such data can only travel structured.
  if (event.datacontenttype && detail::isEventFormat(*event.datacontenttype)) {
    return HttpMessage{{{"Content-Type", std::string(kStructuredContentType)}}, toStructured(event)};
  }
  HttpMessage message;
  const auto add = [&message](std::string_view attribute, std::string_view value) {
    message.headers.emplace_back(std::string(kAttributePrefix) + std::string(attribute),
                                 percentEncodeHeaderValue(value));
  };
  add("specversion", event.specversion);
  add("id", event.id);
  add("source", event.source);
  add("type", event.type);
  if (event.dataschema) add("dataschema", *event.dataschema);
  if (event.subject) add("subject", *event.subject);
  if (event.time) add("time", *event.time);
  for (const auto& [name, value] : event.extensions) add(name, extensionText(value));
  // HTTP binding 3.1.1: datacontenttype travels as Content-Type, never as ce-datacontenttype.
  if (event.datacontenttype) {
    message.headers.emplace_back("Content-Type", *event.datacontenttype);
  } else if (event.data.kind() == Data::Kind::Bytes) {
    // Unlabelled data reads as JSON (JSON format 3.1), so bytes and text get
    // the labels RFC 9110 gives unknown bytes and plain text instead.
    message.headers.emplace_back("Content-Type", std::string(kUnlabelledBytesContentType));
  } else if (event.data.kind() == Data::Kind::Text) {
    message.headers.emplace_back("Content-Type", std::string(kUnlabelledTextContentType));
  }
  message.body = event.data.value();
  return message;
}

// The binding carries no type information in headers, so every extension read
// here is a string: a Boolean or Integer extension sent by toBinary comes back
// as "true" or "42". Consumers that need the type convert it themselves.
Result<CloudEvent> detail::parseBinaryEvent(const Headers& headers, std::string_view body, const ParseLimits& limits) {
  CloudEvent event;
  std::set<std::string> seen;
  for (const auto& [raw_name, raw_value] : headers) {
    const std::string name = asciiLower(raw_name);
    const bool is_content_type = name == "content-type";
    if (!is_content_type && !name.starts_with(kAttributePrefix)) continue;
    if (!seen.insert(name).second) return Error{name, "header \"" + name + "\" appears more than once"};
    // RFC 9110 section 5.5: surrounding whitespace is not part of the value.
    const std::string_view value = trimWhitespace(raw_value);
    if (is_content_type) {
      event.datacontenttype = std::string(value);
      continue;
    }
    const std::string attribute = name.substr(kAttributePrefix.size());
    if (attribute == "datacontenttype") {
      return Error{attribute, "attribute \"datacontenttype\": binary mode carries it in Content-Type, header \"" +
                                  name + "\" must not be used (HTTP binding 3.1.1)"};
    }
    std::string decoded;
    if (auto reason = percentDecode(value, decoded)) return Error{name, "header \"" + name + "\": " + *reason};
    if (std::string* required = requiredAttribute(event, attribute)) {
      *required = std::move(decoded);
    } else if (std::optional<std::string>* optional = optionalAttribute(event, attribute)) {
      *optional = std::move(decoded);
    } else {
      event.extensions.emplace(attribute, ExtensionValue(std::move(decoded)));
    }
  }
  for (const std::string_view attribute : kRequiredAttributes) {
    const std::string header = std::string(kAttributePrefix) + std::string(attribute);
    if (!seen.contains(header)) {
      return Error{std::string(attribute),
                   "attribute \"" + std::string(attribute) + "\" is required but header \"" + header + "\" is missing"};
    }
  }
  if (auto error = readBody(body, limits, event)) return *error;
  if (auto error = validate(event)) return *error;
  return event;
}

Result<CloudEvent> parseBinary(const Headers& headers, std::string_view body) {
  return detail::parseBinaryEvent(headers, body, ParseLimits{});
}

}  // namespace ccm::sdk
