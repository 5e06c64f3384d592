#pragma once

#include <Poco/Data/Session.h>

#include <string>
#include <vector>

#include "store/dialect.hpp"
#include "store/sink_redrive.hpp"

namespace ccm::core {

// Moves the redrives' positions and adds their counts, inside the caller's
// transaction (SqlStore::applyDelivery). A redrive whose position reaches its
// range's end becomes completed; a cancelled one keeps its state.
void storeRedriveProgress(Poco::Data::Session& session, const Dialect& dialect,
                          const std::vector<RedriveProgress>& progress, const std::string& now);

}  // namespace ccm::core
