#include "api/server_sent_events.hpp"

namespace ccm::core {
namespace {

// `text` on one line: CR and LF replaced by spaces.
std::string oneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

}  // namespace

std::string sseEvent(std::int64_t sequence, std::string_view type, std::string_view data) {
  std::string out = "id: " + std::to_string(sequence) + "\nevent: " + oneLine(type) + "\n";
  // A line break in the data (CR, LF or CRLF) starts another data line; the
  // client joins them with LF.
  std::size_t start = 0;
  while (true) {
    const auto end = data.find_first_of("\r\n", start);
    out.append("data: ").append(data.substr(start, end - start)).append("\n");
    if (end == std::string_view::npos) break;
    start = end + (data.compare(end, 2, "\r\n") == 0 ? 2 : 1);
  }
  return out + "\n";
}

std::string sseComment(std::string_view text) {
  return ": " + oneLine(text) + "\n\n";
}

}  // namespace ccm::core
