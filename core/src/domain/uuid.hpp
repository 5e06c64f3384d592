#pragma once

#include <string>

namespace ccm::core {

// A random (version 4) UUID in RFC 4122 text form, lower-case hex:
// xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx with N one of 8, 9, a, b. Each thread
// has its own generator, seeded once from std::random_device; thread-safe.
// Not for secrets: mt19937_64 is predictable once its output is observed.
std::string newUuid();

}  // namespace ccm::core
