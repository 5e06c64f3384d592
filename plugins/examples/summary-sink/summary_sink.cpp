#include "summary_sink.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>

namespace example {
namespace {

constexpr std::string_view kLinesWritten = "example_summary_lines_total";

std::string orDash(const std::optional<std::string>& value) { return value ? *value : "-"; }

std::string summaryLine(const ccm::sdk::CloudEvent& event) {
  // Valid CloudEvents attribute values contain no control characters, so tabs
  // and newlines cannot occur inside a field.
  return orDash(event.time) + '\t' + event.type + '\t' + orDash(event.subject) + '\t' + event.id + '\t' +
         event.source + '\n';
}

void appendUtf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// A strict reader for {"name":"value", ...} (RFC 8259 strings, no other types).
class FlatObjectReader {
public:
  explicit FlatObjectReader(const std::string& text) : text_(text) {}

  std::map<std::string, std::string> read() {
    std::map<std::string, std::string> members;
    expect('{');
    if (!consume('}')) {
      do {
        std::string name = readString();
        expect(':');
        members[name] = readString();
      } while (consume(','));
      expect('}');
    }
    skipSpace();
    if (pos_ != text_.size()) fail("unexpected text after the object");
    return members;
  }

private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::invalid_argument("example-summary config: " + why + " at offset " + std::to_string(pos_));
  }
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool consume(char c) {
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "'");
  }
  std::uint32_t readHex4() {
    if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      value <<= 4;
      if (c >= '0' && c <= '9') value |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') value |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') value |= static_cast<std::uint32_t>(c - 'A' + 10);
      else fail("bad hex digit in \\u escape");
    }
    return value;
  }
  std::string readString() {
    expect('"');
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      switch (const char e = text_[pos_++]) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t code_point = readHex4();
          if (code_point >= 0xD800 && code_point <= 0xDBFF) {  // a surrogate pair
            if (text_.compare(pos_, 2, "\\u") != 0) fail("lone high surrogate");
            pos_ += 2;
            const std::uint32_t low = readHex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("bad low surrogate");
            code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
          } else if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
            fail("lone low surrogate");
          }
          appendUtf8(out, code_point);
          break;
        }
        default: fail("bad escape");
      }
    }
    fail("unterminated string");
  }

  const std::string& text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string stringMember(const std::string& json_object, const std::string& key) {
  const auto members = FlatObjectReader(json_object.empty() ? "{}" : json_object).read();
  const auto it = members.find(key);
  if (it == members.end() || it->second.empty()) {
    throw std::invalid_argument("example-summary config \"" + key + "\": is required");
  }
  return it->second;
}

SummarySink::SummarySink(const ccm::sdk::PluginContext& context)
    : host_(context.host), path_(stringMember(context.config_json, "path")) {
  out_.open(path_, std::ios::app | std::ios::binary);
  if (!out_) throw std::invalid_argument("example-summary config \"path\": cannot open " + path_ + " for appending");
  host_.metrics().describe(kLinesWritten, ccm::sdk::MetricType::Counter, "Summary lines appended to the file");
  host_.logger().log(ccm::sdk::LogLevel::Info, "example-summary sink ready",
                     {{"instance", context.instance_name}, {"path", path_}});
}

std::vector<ccm::sdk::Outcome> SummarySink::deliver(const std::vector<ccm::sdk::CloudEvent>& batch) {
  std::lock_guard lock(mutex_);
  std::vector<ccm::sdk::Outcome> outcomes;
  outcomes.reserve(batch.size());
  try {
    for (const auto& event : batch) {
      out_ << summaryLine(event);
      out_.flush();
      if (!out_) {
        // A full disk or a removed mount may recover: the dispatcher retries
        // this event and every later one with backoff. Outcome::permanent is
        // for events that can never be delivered (they go to dead letters).
        out_.clear();
        outcomes.resize(batch.size(), ccm::sdk::Outcome::retryable("cannot write " + path_));
        host_.logger().log(ccm::sdk::LogLevel::Error, "example-summary sink: write failed", {{"path", path_}});
        break;
      }
      outcomes.push_back(ccm::sdk::Outcome::delivered());
      host_.metrics().add(kLinesWritten, 1);
    }
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: no exception leaves a plugin
    outcomes.resize(batch.size(), ccm::sdk::Outcome::retryable(e.what()));
  }
  return outcomes;
}

}  // namespace example
