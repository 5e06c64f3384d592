#include "cesql/like_pattern.hpp"

#include <optional>

#include "cesql/utf8.hpp"

namespace ccm::core::cesql {

LikePattern::LikePattern(std::string_view pattern) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size() && (pattern[i + 1] == '%' || pattern[i + 1] == '_')) {
      elements_.push_back({Kind::Byte, pattern[++i]});
    } else if (c == '%') {
      // "%%" matches what "%" matches; one element keeps the backtracking short.
      if (elements_.empty() || elements_.back().kind != Kind::AnyRun) elements_.push_back({Kind::AnyRun, 0});
    } else if (c == '_') {
      elements_.push_back({Kind::AnyCharacter, 0});
    } else {
      elements_.push_back({Kind::Byte, c});
    }
  }
}

// Greedy matching that, on a mismatch, lets the last '%' take one more
// character and tries again from there; earlier '%'s never need to move, so
// there is no exponential backtracking. Literal bytes compare as UTF-8, which
// synchronises by itself; '_' and a moving '%' step over whole characters.
bool LikePattern::matches(std::string_view text) const {
  std::size_t t = 0;
  std::size_t p = 0;
  std::optional<std::size_t> run_pattern;
  std::size_t run_text = 0;
  while (t < text.size()) {
    if (p < elements_.size()) {
      const auto& element = elements_[p];
      if (element.kind == Kind::AnyCharacter) {
        t += utf8::characterLength(text, t);
        ++p;
        continue;
      }
      if (element.kind == Kind::Byte && element.byte == text[t]) {
        ++t;
        ++p;
        continue;
      }
      if (element.kind == Kind::AnyRun) {
        run_pattern = p++;
        run_text = t;
        continue;
      }
    }
    if (!run_pattern) return false;
    p = *run_pattern + 1;
    run_text += utf8::characterLength(text, run_text);
    t = run_text;
  }
  while (p < elements_.size() && elements_[p].kind == Kind::AnyRun) ++p;
  return p == elements_.size();
}

}  // namespace ccm::core::cesql
