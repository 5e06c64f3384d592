#pragma once

#include <string_view>

namespace ccm::core {

// An address only this machine reaches: 127.0.0.0/8, ::1 (also as
// ::ffff:127.x.y.z) or the name "localhost"; any other name is not, whatever
// it resolves to now.
bool isLoopbackHost(std::string_view host);

}  // namespace ccm::core
