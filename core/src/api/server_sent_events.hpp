#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// The Server-Sent Events wire format (HTML Living Standard 9.2.5, "text/event-stream").
namespace ccm::core {

// One event: "id: <sequence>", "event: <type>", then `data` as "data:" lines
// (one per line of it; a CloudEvent in structured JSON is one line), and
// the blank line that dispatches it. CR and LF in `type` become spaces: a
// field cannot span lines.
std::string sseEvent(std::int64_t sequence, std::string_view type, std::string_view data);

// A comment line (": text"), which clients ignore: a heartbeat that keeps
// proxies from closing an idle stream and shows the client it is alive.
std::string sseComment(std::string_view text);

}  // namespace ccm::core
