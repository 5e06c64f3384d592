#pragma once

#include <string>
#include <string_view>

#include "ccm/sdk/result.hpp"

namespace ccm::sdk {

// Reads a secret reference: "env:NAME" (an environment variable) or
// "file:/path" (a file's content without its trailing newline). The gateway's
// Host and the testing FakeHost both resolve secrets with this function.
Result<std::string> readSecretReference(std::string_view reference);

}  // namespace ccm::sdk
