#include "config/json_locations.hpp"

#include <vector>

#include <rapidjson/reader.h>

namespace ccm::core {
namespace {

// A RapidJSON input stream that counts lines as the reader consumes bytes.
class LineCountingStream {
public:
  using Ch = char;
  explicit LineCountingStream(std::string_view text) : text_(text) {}
  Ch Peek() const { return position_ < text_.size() ? text_[position_] : '\0'; }
  Ch Take() {
    if (position_ >= text_.size()) return '\0';
    const Ch c = text_[position_++];
    if (c == '\n') ++line_;
    return c;
  }
  std::size_t Tell() const { return position_; }
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }
  int line() const { return line_; }

private:
  std::string_view text_;
  std::size_t position_ = 0;
  int line_ = 1;
};

class LineRecorder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, LineRecorder> {
public:
  LineRecorder(const LineCountingStream& stream, std::map<std::string, int>& lines) : stream_(stream), lines_(lines) {}

  bool Default() { return record(); }
  bool String(const char*, rapidjson::SizeType, bool) { return record(); }
  bool StartObject() {
    record();
    frames_.push_back({false, 0, {}});
    return true;
  }
  bool Key(const char* name, rapidjson::SizeType length, bool) {
    frames_.back().key = pointerToken({name, length});
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return pop(); }
  bool StartArray() {
    record();
    frames_.push_back({true, 0, {}});
    return true;
  }
  bool EndArray(rapidjson::SizeType) { return pop(); }

private:
  struct Frame {
    bool is_array;
    std::size_t children;  // array elements started so far
    std::string key;
  };

  bool record() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().children;
    std::string pointer;
    for (auto& frame : frames_) {
      pointer += '/';
      pointer += frame.is_array ? std::to_string(frame.children - 1) : frame.key;
    }
    lines_.emplace(pointer, stream_.line());
    return true;
  }
  bool pop() {
    frames_.pop_back();
    return true;
  }

  const LineCountingStream& stream_;
  std::map<std::string, int>& lines_;
  std::vector<Frame> frames_;
};

}  // namespace

std::map<std::string, int> jsonValueLines(std::string_view text) {
  std::map<std::string, int> lines;
  LineCountingStream stream(text);
  LineRecorder recorder(stream, lines);
  rapidjson::Reader reader;
  reader.Parse<rapidjson::kParseIterativeFlag>(stream, recorder);
  return lines;
}

std::pair<int, int> lineAndColumn(std::string_view text, std::size_t offset) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

std::string pointerToken(std::string_view name) {
  std::string token;
  for (char c : name) {
    if (c == '~') token += "~0";
    else if (c == '/') token += "~1";
    else token += c;
  }
  return token;
}

}  // namespace ccm::core
