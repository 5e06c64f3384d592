#pragma once

#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/source.hpp"

namespace ccm::sources::lds {

// LDS (the lab delivery system) tells CCM when a user starts and ends a lab
// session (ADR-022): lds.session.started -> session.mark_running,
// lds.session.ended -> session.collect. Stateless and thread-safe; see
// docs/sources/lds.md.
class LdsSource final : public sdk::Source {
public:
  explicit LdsSource(const sdk::PluginContext& context);

  std::vector<sdk::ClaimedType> claims() const override;
  sdk::Result<std::vector<sdk::Command>> translate(const sdk::CloudEvent& event) override;
};

// The claimed types with their data schemas (config/schemas/consumed/).
std::vector<sdk::ClaimedType> ldsClaims();
// Pure: the engine commands for one LDS event. An Error names the data field
// at fault as a JSON pointer ("/data/lablet_session_id").
sdk::Result<std::vector<sdk::Command>> translateLdsEvent(const sdk::CloudEvent& event);

}  // namespace ccm::sources::lds
