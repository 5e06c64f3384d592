// Reads the CloudEvents JSON event format 1.0.2 (structured and batch) in one
// streaming pass of RapidJSON's iterative SAX reader. No DOM is built, so
// untrusted nesting never reaches the call stack, and numbers inside data keep
// their exact text instead of going through a double.
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <set>

#include "ccm/sdk/codec.hpp"
#include "codec_detail.hpp"

namespace ccm::sdk {

namespace {

constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;

// The containers around event members, which do not count against max_depth.
enum class Shape : std::size_t { Value = 0, Event = 1, Batch = 2 };

Error memberError(std::string_view name, const std::string& rule) {
  return Error{std::string(name), "attribute \"" + std::string(name) + "\": " + rule};
}

Error depthError(std::string_view name, std::size_t max_depth) {
  return memberError(name,
                     "JSON nesting is deeper than ParseLimits::max_depth (" + std::to_string(max_depth) + " levels)");
}

// RapidJSON checks the input's bytes but decodes an escaped lone low surrogate
// ("\\udc00") into bytes that are not UTF-8, which no writer may pass on.
bool escapesAreUnicode(std::string_view decoded) { return detail::isValidUtf8(decoded); }

Error loneSurrogateError(std::string_view name) {
  const std::string rule = "a \\u escape names a lone surrogate, which is not a Unicode character (RFC 8259 section 8.2)";
  return name.empty() ? Error{"", "the event has a member name where " + rule} : memberError(name, "has " + rule);
}

std::string subjectOf(Shape shape, std::string_view attribute) {
  if (shape == Shape::Batch) return "the batch";
  if (shape == Shape::Event) return "the structured event";
  return "attribute \"" + std::string(attribute) + "\": the value";
}

// Handler method names are fixed by RapidJSON's SAX concept.
class EventReader : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, EventReader> {
public:
  EventReader(Shape shape, std::size_t max_depth) : shape_(shape), max_depth_(max_depth), data_writer_(data_buffer_) {}

  bool Null() { return scalar(Scalar::Null, {}); }
  bool Bool(bool flag) { return scalar(flag ? Scalar::True : Scalar::False, {}); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) { return scalar(Scalar::Number, {text, length}); }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    if (!escapesAreUnicode({text, length})) return failMember(loneSurrogateError(member_));
    return scalar(Scalar::String, {text, length});
  }
  bool StartObject() { return start(Node::Object); }
  bool StartArray() { return start(Node::Array); }
  bool EndObject(rapidjson::SizeType) { return end(Node::Object); }
  bool EndArray(rapidjson::SizeType) { return end(Node::Array); }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    if (!escapesAreUnicode({text, length})) return failMember(loneSurrogateError(capturing_ ? member_ : ""));
    if (capturing_) return data_writer_.Key(text, length);
    member_.assign(text, length);
    if (!seen_.insert(member_).second) return failMember(memberError(member_, "appears more than once"));
    return true;
  }

  std::vector<CloudEvent>& events() { return events_; }
  const std::optional<Error>& error() const { return error_; }

private:
  enum class Scalar { Null, True, False, Number, String };
  enum class Node { Scalar, Object, Array };

  std::size_t eventDepth() const { return static_cast<std::size_t>(shape_); }

  bool fail(Error error) {
    error_ = std::move(error);
    return false;
  }

  bool failMember(Error error) {
    return fail(shape_ == Shape::Batch ? detail::inBatchMember(index_, std::move(error)) : std::move(error));
  }

  // Values outside an event's members: the document itself and batch members.
  bool frame(Node node) {
    if (depth_ == 0 && shape_ == Shape::Event && node != Node::Object) {
      return fail(Error{"", "a structured event must be a JSON object (JSON format 3)"});
    }
    if (depth_ == 0 && shape_ == Shape::Batch && node != Node::Array) {
      return fail(Error{"", "a batch must be a JSON array (JSON format 4.1)"});
    }
    if (depth_ + 1 == eventDepth()) {
      index_ = members_++;
      if (node != Node::Object) return failMember(Error{"", "it is not a JSON object (JSON format 4.1)"});
      beginEvent();
    }
    return true;
  }

  bool start(Node node) {
    if (depth_ < eventDepth()) {
      if (!frame(node)) return false;
    } else if (!capturing_) {
      if (member_ != "data") return failMember(containerError(node));
      beginCapture();
    }
    if (capturing_ && node == Node::Object) data_writer_.StartObject();
    if (capturing_ && node == Node::Array) data_writer_.StartArray();
    ++depth_;
    if (depth_ > eventDepth() && depth_ - eventDepth() > max_depth_) return failMember(depthError(member_, max_depth_));
    return true;
  }

  bool end(Node node) {
    --depth_;
    if (capturing_) {
      if (node == Node::Object) data_writer_.EndObject();
      if (node == Node::Array) data_writer_.EndArray();
      if (depth_ == eventDepth()) endCapture();
      return true;
    }
    return depth_ + 1 == eventDepth() ? finishEvent() : true;
  }

  bool scalar(Scalar kind, std::string_view text) {
    if (depth_ < eventDepth()) return frame(Node::Scalar);
    if (!capturing_ && member_ != "data") return memberValue(kind, text);
    const bool top_level = !capturing_;
    if (top_level) beginCapture();
    switch (kind) {
      case Scalar::Null:
        data_writer_.Null();
        break;
      case Scalar::True:
        data_writer_.Bool(true);
        break;
      case Scalar::False:
        data_writer_.Bool(false);
        break;
      case Scalar::Number:
        data_writer_.RawValue(text.data(), text.size(), rapidjson::kNumberType);
        break;
      case Scalar::String:
        data_writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
        break;
    }
    if (top_level) {
      data_is_string_ = kind == Scalar::String;
      if (data_is_string_) data_text_ = text;
      endCapture();
    }
    return true;
  }

  Error containerError(Node node) const {
    const std::string found = node == Node::Object ? "an object" : "an array";
    if (detail::isContextAttribute(member_) || member_ == "data_base64") {
      return memberError(member_, "must be a JSON string, not " + found);
    }
    return memberError(member_, "extension values must be a string, boolean or integer, not " + found);
  }

  // JSON format 2.2: null means unset; context attributes are strings;
  // extensions are strings, booleans or integers (int32, core spec type system).
  bool memberValue(Scalar kind, std::string_view text) {
    if (member_ == "data_base64") {
      if (kind != Scalar::String && kind != Scalar::Null) {
        return failMember(memberError(member_, "must be a JSON string"));
      }
      if (kind == Scalar::String) data_base64_ = std::string(text);
      return true;
    }
    if (std::string* required = detail::requiredAttribute(event_, member_)) {
      if (kind == Scalar::Null) return failMember(memberError(member_, "is required and must not be null"));
      if (kind != Scalar::String) return failMember(memberError(member_, "must be a JSON string"));
      *required = text;
      return true;
    }
    if (std::optional<std::string>* optional = detail::optionalAttribute(event_, member_)) {
      if (kind != Scalar::String && kind != Scalar::Null) {
        return failMember(memberError(member_, "must be a JSON string or null"));
      }
      if (kind == Scalar::String) *optional = std::string(text);
      return true;
    }
    if (kind == Scalar::Number) return integerExtension(text);
    if (kind == Scalar::String) event_.extensions.emplace(member_, ExtensionValue(std::string(text)));
    if (kind == Scalar::True || kind == Scalar::False) {
      event_.extensions.emplace(member_, ExtensionValue(kind == Scalar::True));
    }
    return true;
  }

  bool integerExtension(std::string_view text) {
    if (text.find_first_of(".eE") != std::string_view::npos) {
      return failMember(
          memberError(member_, "extension values must be a string, boolean or integer, not a floating-point number"));
    }
    std::int32_t value = 0;
    if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc{}) {
      return failMember(
          memberError(member_, std::string(text) + " is outside the 32-bit range of the CloudEvents Integer type"));
    }
    event_.extensions.emplace(member_, ExtensionValue(value));
    return true;
  }

  void beginEvent() {
    event_ = CloudEvent{};
    seen_.clear();
    member_.clear();
    has_data_ = false;
    data_is_string_ = false;
    data_base64_.reset();
  }

  void beginCapture() {
    data_buffer_.Clear();
    data_writer_.Reset(data_buffer_);
    capturing_ = true;
    has_data_ = true;
  }

  void endCapture() {
    capturing_ = false;
    data_json_.assign(data_buffer_.GetString(), data_buffer_.GetSize());
  }

  bool finishEvent() {
    for (const std::string_view name : detail::kRequiredAttributes) {
      if (!seen_.contains(name)) return failMember(memberError(name, "is required but missing"));
    }
    if (has_data_ && data_base64_) {
      return failMember(memberError("data_base64", "must not be present together with \"data\" (JSON format 3.1)"));
    }
    if (data_base64_) {
      auto raw = detail::decodeBase64(*data_base64_);
      if (!raw) return failMember(memberError("data_base64", "is not valid padded base64 (RFC 4648 section 4)"));
      event_.data = Data::bytes(std::move(*raw));
    } else if (has_data_) {
      // JSON format 3.1: a string is text unless the content type says the data is JSON.
      const bool json_content = !event_.datacontenttype || detail::isJsonMediaType(*event_.datacontenttype);
      event_.data = data_is_string_ && !json_content ? Data::text(data_text_) : Data::json(data_json_);
    }
    if (auto error = detail::validateParsed(event_)) return failMember(std::move(*error));
    events_.push_back(std::move(event_));
    return true;
  }

  Shape shape_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  std::size_t members_ = 0;
  std::size_t index_ = 0;
  std::optional<Error> error_;
  std::vector<CloudEvent> events_;

  CloudEvent event_;
  std::set<std::string, std::less<>> seen_;
  std::string member_;
  std::optional<std::string> data_base64_;
  bool has_data_ = false;
  bool capturing_ = false;
  bool data_is_string_ = false;
  std::string data_text_;
  std::string data_json_;
  rapidjson::StringBuffer data_buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> data_writer_;
};

// Checks syntax and nesting only; what is inside does not matter.
class DepthGuard : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DepthGuard> {
public:
  explicit DepthGuard(std::size_t max_depth) : max_depth_(max_depth) {}

  bool StartObject() { return ++depth_ <= max_depth_; }
  bool StartArray() { return ++depth_ <= max_depth_; }
  bool EndObject(rapidjson::SizeType) { return leave(); }
  bool EndArray(rapidjson::SizeType) { return leave(); }

  bool exceeded() const { return depth_ > max_depth_; }

private:
  bool leave() {
    --depth_;
    return true;
  }

  std::size_t max_depth_;
  std::size_t depth_ = 0;
};

// Rewrites a JSON value without insignificant whitespace, as the structured
// reader writes captured data, so a value reads the same in every mode.
class CompactWriter : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, CompactWriter> {
public:
  explicit CompactWriter(std::size_t max_depth) : max_depth_(max_depth), writer_(buffer_) {}

  bool Null() { return writer_.Null(); }
  bool Bool(bool flag) { return writer_.Bool(flag); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    return writer_.RawValue(text, length, rapidjson::kNumberType);
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    return escapesAreUnicode({text, length}) ? writer_.String(text, length) : surrogate();
  }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    return escapesAreUnicode({text, length}) ? writer_.Key(text, length) : surrogate();
  }
  bool StartObject() { return ++depth_ <= max_depth_ && writer_.StartObject(); }
  bool StartArray() { return ++depth_ <= max_depth_ && writer_.StartArray(); }
  bool EndObject(rapidjson::SizeType) { return leave() && writer_.EndObject(); }
  bool EndArray(rapidjson::SizeType) { return leave() && writer_.EndArray(); }

  bool exceeded() const { return depth_ > max_depth_; }
  bool foundLoneSurrogate() const { return lone_surrogate_; }
  std::string text() const { return {buffer_.GetString(), buffer_.GetSize()}; }

private:
  bool surrogate() {
    lone_surrogate_ = true;
    return false;
  }

  bool leave() {
    --depth_;
    return true;
  }

  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool lone_surrogate_ = false;
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

Error syntaxError(Shape shape, std::string_view attribute, const rapidjson::ParseResult& result) {
  return Error{std::string(attribute), subjectOf(shape, attribute) + " is not well-formed JSON at byte " +
                                           std::to_string(result.Offset()) + ": " +
                                           rapidjson::GetParseError_En(result.Code())};
}

// RapidJSON takes a NUL byte for the end of input and would ignore what follows.
std::optional<Error> nulByteError(std::string_view json, Shape shape, std::string_view attribute) {
  const auto nul = json.find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  return Error{std::string(attribute),
               subjectOf(shape, attribute) + " contains a NUL byte at byte " + std::to_string(nul)};
}

// RapidJSON's encoding check runs byte by byte inside every string and was
// the largest part of reading an event; one pass over the whole input (ASCII
// eight bytes at a time) clears nearly every body of it. Input that is not
// UTF-8 throughout is parsed with the check, so its error reads as before.
template <class Handler>
rapidjson::ParseResult parseJson(std::string_view json, Handler& handler) {
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::Reader reader;
  if (detail::isValidUtf8(json)) return reader.Parse<kParseFlags>(stream, handler);
  return reader.Parse<kParseFlags | rapidjson::kParseValidateEncodingFlag>(stream, handler);
}

Result<std::vector<CloudEvent>> readEvents(std::string_view json, Shape shape, std::size_t max_depth) {
  if (auto error = nulByteError(json, shape, "")) return *error;
  EventReader handler(shape, max_depth);
  const rapidjson::ParseResult result = parseJson(json, handler);
  if (handler.error()) return *handler.error();
  if (result.IsError()) return syntaxError(shape, "", result);
  return std::move(handler.events());
}

}  // namespace

bool jsonNestsDeeperThan(std::string_view json, std::size_t max_depth) {
  DepthGuard guard(max_depth);
  parseJson(json, guard);
  return guard.exceeded();
}

std::optional<Error> detail::checkJsonValue(std::string_view json, std::size_t max_depth, std::string_view attribute) {
  if (auto error = nulByteError(json, Shape::Value, attribute)) return error;
  DepthGuard guard(max_depth);
  const rapidjson::ParseResult result = parseJson(json, guard);
  if (guard.exceeded()) return depthError(attribute, max_depth);
  if (result.IsError()) return syntaxError(Shape::Value, attribute, result);
  return std::nullopt;
}

Result<std::string> detail::compactJsonValue(std::string_view json, std::size_t max_depth,
                                             std::string_view attribute) {
  if (auto error = nulByteError(json, Shape::Value, attribute)) return *error;
  CompactWriter writer(max_depth);
  const rapidjson::ParseResult result = parseJson(json, writer);
  if (writer.exceeded()) return depthError(attribute, max_depth);
  if (writer.foundLoneSurrogate()) return loneSurrogateError(attribute);
  if (result.IsError()) return syntaxError(Shape::Value, attribute, result);
  return writer.text();
}

Result<CloudEvent> parseStructured(std::string_view json, const ParseLimits& limits) {
  auto events = readEvents(json, Shape::Event, limits.max_depth);
  if (!events) return events.error();
  return std::move(events.value().front());
}

Result<std::vector<CloudEvent>> parseBatch(std::string_view json, const ParseLimits& limits) {
  return readEvents(json, Shape::Batch, limits.max_depth);
}

}  // namespace ccm::sdk
