#include "ingress/claim_table.hpp"

#include <utility>

namespace ccm::core {

bool globsOverlap(std::string_view a, std::string_view b) {
  // Reachability over (position in a, position in b): both patterns read the
  // same string; a '*' may consume nothing or any character the other side
  // reads. Overlap when both ends are reached together.
  const std::size_t width = b.size() + 1;
  std::vector<bool> seen((a.size() + 1) * width, false);
  std::vector<std::pair<std::size_t, std::size_t>> pending{{0, 0}};
  auto visit = [&](std::size_t i, std::size_t j) {
    if (!seen[i * width + j]) {
      seen[i * width + j] = true;
      pending.emplace_back(i, j);
    }
  };
  seen[0] = true;
  while (!pending.empty()) {
    const auto [i, j] = pending.back();
    pending.pop_back();
    if (i == a.size() && j == b.size()) return true;
    const bool a_star = i < a.size() && a[i] == '*';
    const bool b_star = j < b.size() && b[j] == '*';
    if (a_star) visit(i + 1, j);
    if (b_star) visit(i, j + 1);
    if (i < a.size() && j < b.size()) {
      if (a_star && !b_star) visit(i, j + 1);       // a's '*' eats b's character
      if (b_star && !a_star) visit(i + 1, j);       // b's '*' eats a's character
      if (!a_star && !b_star && a[i] == b[j]) visit(i + 1, j + 1);
    }
  }
  return false;
}

sdk::Result<ClaimTable> ClaimTable::build(const std::vector<SourceClaims>& sources) {
  ClaimTable table;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    const auto& source = sources[s];
    for (const auto& claimed : source.claims) {
      const std::string what = "source \"" + source.source_name + "\" claim \"" + claimed.type + "\"";
      if (claimed.type.empty()) {
        return sdk::Error{source.source_name, "source \"" + source.source_name + "\" claims an empty event type"};
      }
      for (const auto& other : table.claims_) {
        if (globsOverlap(other.pattern, claimed.type)) {
          return sdk::Error{source.source_name, what + " overlaps source \"" + other.source_name + "\" claim \"" +
                                                    other.pattern + "\": an event type must have exactly one source"};
        }
      }
      auto schema = JsonSchema::compile(claimed.data_schema, what);
      if (!schema) return sdk::Error{source.source_name, "data schema of " + schema.error().message};
      table.claims_.push_back({claimed.type, s, source.source_name, std::move(schema.value())});
    }
  }
  return table;
}

const Claim* ClaimTable::find(std::string_view type) const {
  for (const auto& claim : claims_) {
    if (globMatches(claim.pattern, type)) return &claim;
  }
  return nullptr;
}

}  // namespace ccm::core
