#include "app/heap_trim.hpp"

#include <dlfcn.h>

#include <cstddef>
#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ccm::core {
namespace {

// jemalloc's control interface, when jemalloc is the allocator (linked into
// the gateway, or preloaded). Looked up rather than linked so that
// everything else that links the core (the tests) keeps its own allocator.
using Mallctl = int (*)(const char*, void*, std::size_t*, void*, std::size_t);

Mallctl jemallocControl() {
  static const auto control = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
  return control;
}

}  // namespace

const char* heapAllocator() {
  return jemallocControl() != nullptr ? "jemalloc" : "system";
}

void returnFreeHeapToTheSystem() {
  if (const auto mallctl = jemallocControl()) {
    // Every arena's unused dirty pages (MALLCTL_ARENAS_ALL is 4096); jemalloc
    // would purge them itself only as later allocations come by.
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
    return;
  }
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace ccm::core
