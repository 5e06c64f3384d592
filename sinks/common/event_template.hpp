#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "ccm/sdk/sink.hpp"

namespace ccm::sinks::common {

// A text with placeholders {type}, {source}, {subject} and {id}, replaced by
// the event's attribute; "{{" and "}}" stand for literal braces. The broker
// sinks' topic and subject names are made from one.
class EventTemplate {
public:
  // Throws std::invalid_argument saying what is wrong: an unknown
  // placeholder, a '{' without '}', a '}' without '{'.
  explicit EventTemplate(std::string_view text);

  // The literal text between the placeholders (braces unescaped), for a
  // caller's own rules on what a name may hold.
  std::vector<std::string> literals() const;

  // The text for `event`, with each attribute's value passed through
  // `encode`; permanent when the template uses {subject} and the event has
  // none ("the <what> template uses {subject} and event <id> has no subject").
  std::variant<std::string, sdk::Outcome> render(const sdk::CloudEvent& event,
                                                 const std::function<std::string(std::string_view)>& encode,
                                                 std::string_view what) const;

private:
  enum class Part { Literal, Type, Source, Subject, Id };
  std::vector<std::pair<Part, std::string>> parts_;
};

}  // namespace ccm::sinks::common
