#include <algorithm>
#include <array>
#include <limits>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/time.hpp"
#include "codec_detail.hpp"

namespace ccm::sdk {

namespace {

using detail::quoted;

bool isAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isHexDigit(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool isOneOf(char c, std::string_view set) {
  return set.find(c) != std::string_view::npos;
}

// RFC 3986 section 3.1.
bool isScheme(std::string_view scheme) {
  if (scheme.empty() || !isAlpha(scheme.front())) return false;
  for (const char c : scheme) {
    if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// RFC 3986 section 4.1 syntax: allowed characters, well-formed percent-escapes,
// a valid scheme when one is present, brackets only in the authority and a
// single fragment delimiter. Returns whether a scheme is present, or nothing.
std::optional<bool> checkUriReference(std::string_view uri) {
  const auto colon = uri.find(':');
  const bool has_scheme = colon != std::string_view::npos && colon < uri.find_first_of("/?#");
  // Without a scheme the first path segment must not contain ':' (path-noscheme).
  if (has_scheme && !isScheme(uri.substr(0, colon))) return std::nullopt;
  const std::string_view rest = has_scheme ? uri.substr(colon + 1) : uri;
  std::size_t authority_end = 0;
  if (rest.starts_with("//")) authority_end = std::min(rest.find_first_of("/?#", 2), rest.size());
  bool in_fragment = false;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (c == '%') {
      if (i + 2 >= rest.size() || !isHexDigit(rest[i + 1]) || !isHexDigit(rest[i + 2])) return std::nullopt;
      i += 2;
    } else if (c == '#') {
      if (in_fragment) return std::nullopt;
      in_fragment = true;
    } else if (c == '[' || c == ']') {
      if (i >= authority_end) return std::nullopt;
    } else if (!isAlpha(c) && !isDigit(c) && !isOneOf(c, "-._~!$&'()*+,;=:/?@")) {
      return std::nullopt;
    }
  }
  return has_scheme;
}

// RFC 9110 section 5.6.2.
bool isTokenChar(char c) {
  return isAlpha(c) || isDigit(c) || isOneOf(c, "!#$%&'*+-.^_`|~");
}

std::size_t skipToken(std::string_view text, std::size_t i) {
  while (i < text.size() && isTokenChar(text[i])) ++i;
  return i;
}

std::size_t skipWhitespace(std::string_view text, std::size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  return i;
}

// RFC 9110 section 5.6.4; returns the position after the closing quote, or npos.
std::size_t skipQuotedString(std::string_view text, std::size_t i) {
  for (++i; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"') return i + 1;
    if (c == '\\') {
      ++i;
      if (i == text.size()) return std::string_view::npos;
      const auto escaped = static_cast<unsigned char>(text[i]);
      if (escaped != '\t' && (escaped < 0x20 || escaped == 0x7F)) return std::string_view::npos;
    } else if (c != '\t' && (c < 0x20 || c == 0x7F)) {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

// RFC 9110 section 8.3.1: type "/" subtype *( OWS ";" OWS [ token "=" ( token / quoted-string ) ] ).
bool isMediaType(std::string_view text) {
  std::size_t i = skipToken(text, 0);
  if (i == 0 || i == text.size() || text[i] != '/') return false;
  const std::size_t subtype_start = i + 1;
  i = skipToken(text, subtype_start);
  if (i == subtype_start) return false;
  while (true) {
    i = skipWhitespace(text, i);
    if (i == text.size()) return true;
    if (text[i] != ';') return false;
    i = skipWhitespace(text, i + 1);
    if (i == text.size() || text[i] == ';') continue;
    const std::size_t name_end = skipToken(text, i);
    if (name_end == i || name_end == text.size() || text[name_end] != '=') return false;
    i = name_end + 1;
    if (i < text.size() && text[i] == '"') {
      i = skipQuotedString(text, i);
      if (i == std::string_view::npos) return false;
    } else {
      const std::size_t value_end = skipToken(text, i);
      if (value_end == i) return false;
      i = value_end;
    }
  }
}

// Core spec, attribute naming convention: lower-case ASCII letters and digits only.
bool isAttributeName(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!(c >= 'a' && c <= 'z') && !isDigit(c)) return false;
  }
  return true;
}

bool isReservedName(std::string_view name) {
  return detail::isContextAttribute(name) || name == "data" || name == "data_base64";
}

Error attributeError(std::string_view name, const std::string& rule) {
  return Error{std::string(name), "attribute \"" + std::string(name) + "\": " + rule};
}

Error disallowedCharacters(std::string_view name, std::string_view value) {
  return attributeError(name, quoted(value) +
                                  " contains characters the String type disallows (control characters, "
                                  "noncharacters or invalid UTF-8)");
}

std::optional<Error> checkRequiredString(std::string_view name, const std::string& value) {
  if (value.empty()) return attributeError(name, "must be a non-empty string (it is required)");
  if (!detail::isSpecString(value)) return disallowedCharacters(name, value);
  return std::nullopt;
}

std::optional<Error> checkExtension(const std::string& name, const ExtensionValue& value) {
  // Names longer than 20 characters are accepted: the core spec naming convention only says SHOULD NOT.
  if (!isAttributeName(name)) {
    return attributeError(name, "extension names must consist of lower-case letters a-z and digits 0-9 only");
  }
  if (isReservedName(name)) {
    return attributeError(name, "extension name collides with a context attribute or the data member");
  }
  const auto* text = std::get_if<std::string>(&value);
  if (text != nullptr && !detail::isSpecString(*text)) return disallowedCharacters(name, *text);
  return std::nullopt;
}

std::optional<Error> checkData(const Data& data) {
  if (data.kind() == Data::Kind::Json) {
    // Data::json is spliced into structured output as-is, so it must be one JSON value.
    if (auto error = detail::checkJsonValue(data.value(), std::numeric_limits<std::size_t>::max(), "data")) {
      return error;
    }
  }
  if (data.kind() == Data::Kind::Text && !detail::isValidUtf8(data.value())) {
    return attributeError("data", "text data must be valid UTF-8 (use Data::bytes for other encodings)");
  }
  return std::nullopt;
}

}  // namespace

std::string* detail::requiredAttribute(CloudEvent& event, std::string_view name) {
  if (name == "specversion") return &event.specversion;
  if (name == "id") return &event.id;
  if (name == "source") return &event.source;
  if (name == "type") return &event.type;
  return nullptr;
}

std::optional<std::string>* detail::optionalAttribute(CloudEvent& event, std::string_view name) {
  if (name == "datacontenttype") return &event.datacontenttype;
  if (name == "dataschema") return &event.dataschema;
  if (name == "subject") return &event.subject;
  if (name == "time") return &event.time;
  return nullptr;
}

bool detail::isContextAttribute(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kContextAttributes = {
      "specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time"};
  return std::ranges::find(kContextAttributes, name) != kContextAttributes.end();
}

namespace {

std::optional<Error> validateAttributes(const CloudEvent& event) {
  if (event.specversion != "1.0") {
    return attributeError("specversion", quoted(event.specversion) + " is not supported; it must be exactly \"1.0\"");
  }
  if (auto error = checkRequiredString("id", event.id)) return error;
  if (auto error = checkRequiredString("source", event.source)) return error;
  if (!checkUriReference(event.source)) {
    return attributeError("source", quoted(event.source) + " is not a URI-reference (RFC 3986)");
  }
  if (auto error = checkRequiredString("type", event.type)) return error;
  if (const auto& media_type = event.datacontenttype) {
    if (media_type->empty()) return attributeError("datacontenttype", "must not be empty when present");
    // RFC 9110 section 5.5: an HTTP header drops the value's surrounding
    // whitespace, so such a value would change on its way through binary mode.
    if (detail::trimWhitespace(*media_type).size() != media_type->size()) {
      return attributeError("datacontenttype", quoted(*media_type) + " must not begin or end with whitespace");
    }
    if (!isMediaType(*media_type)) {
      return attributeError("datacontenttype", quoted(*media_type) + " is not a media type (type/subtype)");
    }
  }
  if (const auto& schema = event.dataschema) {
    if (schema->empty()) return attributeError("dataschema", "must not be empty when present");
    if (checkUriReference(*schema) != std::optional<bool>(true)) {
      return attributeError("dataschema", quoted(*schema) + " is not an absolute URI (RFC 3986, with a scheme)");
    }
  }
  if (const auto& subject = event.subject) {
    if (subject->empty()) return attributeError("subject", "must not be empty when present");
    if (!detail::isSpecString(*subject)) return disallowedCharacters("subject", *subject);
  }
  if (event.time && !isRfc3339(*event.time)) {
    return attributeError("time", quoted(*event.time) + " is not an RFC 3339 timestamp");
  }
  for (const auto& [name, value] : event.extensions) {
    if (auto error = checkExtension(name, value)) return error;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Error> validate(const CloudEvent& event) {
  if (auto error = validateAttributes(event)) return error;
  return checkData(event.data);
}

std::optional<Error> detail::validateParsed(const CloudEvent& event) {
  if (auto error = validateAttributes(event)) return error;
  return event.data.kind() == Data::Kind::Json ? std::nullopt : checkData(event.data);
}

}  // namespace ccm::sdk
