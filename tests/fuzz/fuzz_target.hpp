#pragma once

// Each fuzz target defines LLVMFuzzerTestOneInput. Built with clang and
// CCM_FUZZ=ON it links libFuzzer (`make fuzz`); otherwise replay_main.cpp runs
// it over the checked-in corpus, so every build's tests (the sanitizer run
// included) replay what fuzzing found.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace ccm::fuzz {

inline std::string_view asText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A broken property: report it the way a crash is reported, so libFuzzer
// keeps the input and the replay fails.
[[noreturn]] inline void propertyFailed(const char* what) {
  std::fprintf(stderr, "property failed: %s\n", what);
  std::abort();
}

}  // namespace ccm::fuzz
