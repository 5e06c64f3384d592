#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ccm::core::cesql {

// The pattern of a LIKE operator (CESQL v1 3.4.3): '%' matches any run of
// characters, '_' exactly one, "\%" and "\_" the characters themselves, and
// every other character (a backslash before anything else included) itself,
// case-sensitively. Matching takes at most pattern length x text length steps.
class LikePattern {
public:
  LikePattern() = default;
  explicit LikePattern(std::string_view pattern);

  bool matches(std::string_view text) const;

private:
  enum class Kind { Byte, AnyCharacter, AnyRun };
  struct Element {
    Kind kind;
    char byte;
  };
  std::vector<Element> elements_;
};

}  // namespace ccm::core::cesql
