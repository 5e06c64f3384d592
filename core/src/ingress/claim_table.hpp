#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ccm/sdk/result.hpp"
#include "ccm/sdk/source.hpp"
#include "config/glob.hpp"
#include "config/json_schema.hpp"

// Which source handles an inbound event type. Pure; thread-safe once built.
namespace ccm::core {

// Whether some type matches both globs (config/glob.hpp; two exact names
// overlap when equal).
bool globsOverlap(std::string_view a, std::string_view b);

// What one source instance claims.
struct SourceClaims {
  std::string source_name;
  std::vector<sdk::ClaimedType> claims;
};

// One claimed type (exact or glob), its owner and its compiled data schema.
struct Claim {
  std::string pattern;
  std::size_t source_index;  // into the SourceClaims given to build()
  std::string source_name;
  std::shared_ptr<const JsonSchema> data_schema;
};

class ClaimTable {
public:
  // Refuses overlapping claims (within a source or across sources: an event
  // type must have exactly one owner and one schema), empty patterns and data
  // schemas that do not compile; errors name the sources and patterns.
  static sdk::Result<ClaimTable> build(const std::vector<SourceClaims>& sources);

  // The claim matching `type`, or nullptr when no source claims it.
  const Claim* find(std::string_view type) const;
  const std::vector<Claim>& claims() const { return claims_; }

private:
  std::vector<Claim> claims_;
};

}  // namespace ccm::core
