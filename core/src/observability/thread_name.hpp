#pragma once

#include <string>

namespace ccm::core {

// Names the calling thread as `top -H`, `ps -L`, perf and gdb show it
// (Linux keeps the first 15 characters), so an operator can tell the HTTP
// loops, the committer and the syncing thread apart.
void nameCurrentThread(const std::string& name);

}  // namespace ccm::core
