#include "common/event_template.hpp"

#include <stdexcept>

namespace ccm::sinks::common {

EventTemplate::EventTemplate(std::string_view text) {
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') throw std::invalid_argument("has a '}' without '{' (write \"}}\" for a literal brace)");
    if (c != '{') {
      literal += c;
      continue;
    }
    const std::size_t close = text.find('}', i);
    if (close == std::string_view::npos) throw std::invalid_argument("has a '{' without '}'");
    const std::string_view name = text.substr(i + 1, close - i - 1);
    Part part;
    if (name == "type") {
      part = Part::Type;
    } else if (name == "source") {
      part = Part::Source;
    } else if (name == "subject") {
      part = Part::Subject;
    } else if (name == "id") {
      part = Part::Id;
    } else {
      throw std::invalid_argument("has the unknown placeholder {" + std::string(name) +
                                  "}; known are {type}, {source}, {subject} and {id}");
    }
    if (!literal.empty()) parts_.emplace_back(Part::Literal, std::move(literal));
    literal.clear();
    parts_.emplace_back(part, "");
    i = close;
  }
  if (!literal.empty()) parts_.emplace_back(Part::Literal, std::move(literal));
}

std::vector<std::string> EventTemplate::literals() const {
  std::vector<std::string> out;
  for (const auto& [part, literal] : parts_) {
    if (part == Part::Literal) out.push_back(literal);
  }
  return out;
}

std::variant<std::string, sdk::Outcome> EventTemplate::render(
    const sdk::CloudEvent& event, const std::function<std::string(std::string_view)>& encode,
    std::string_view what) const {
  std::string text;
  for (const auto& [part, literal] : parts_) {
    switch (part) {
      case Part::Literal:
        text += literal;
        break;
      case Part::Type:
        text += encode(event.type);
        break;
      case Part::Source:
        text += encode(event.source);
        break;
      case Part::Id:
        text += encode(event.id);
        break;
      case Part::Subject:
        if (!event.subject) {
          return sdk::Outcome::permanent("the " + std::string(what) + " template uses {subject} and event " +
                                         event.id + " has no subject");
        }
        text += encode(*event.subject);
        break;
    }
  }
  return text;
}

}  // namespace ccm::sinks::common
