#pragma once

#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/source.hpp"

namespace ccm::sources::grading {

// The grading engine reports results (ADR-022): grading.session.completed ->
// session.record_score, grading.session.failed -> session.fault. The earlier
// ADR-003's assessment.collection.completed (-> session.grade) and
// assessment.grading.completed (-> session.record_score) are accepted as
// aliases. Stateless and thread-safe; see docs/sources/grading.md.
class GradingSource final : public sdk::Source {
public:
  explicit GradingSource(const sdk::PluginContext& context);

  std::vector<sdk::ClaimedType> claims() const override;
  sdk::Result<std::vector<sdk::Command>> translate(const sdk::CloudEvent& event) override;
};

// The claimed types with their data schemas (config/schemas/consumed/).
std::vector<sdk::ClaimedType> gradingClaims();
// Pure: the engine commands for one grading event. An Error names the data
// field at fault as a JSON pointer ("/data/score").
sdk::Result<std::vector<sdk::Command>> translateGradingEvent(const sdk::CloudEvent& event);

}  // namespace ccm::sources::grading
