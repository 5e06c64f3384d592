#pragma once

namespace ccm::core {

// Gives the heap's free pages back to the system. An allocator keeps what a
// load freed for reuse, so without this an idle gateway stays at the size
// its busiest minute grew it to (glibc, after a 20 000-event backlog
// drained: 48 MB instead of 32). With jemalloc (the gateway's allocator
// unless built with CCM_JEMALLOC=OFF) it purges every arena; with glibc it
// trims the heap; otherwise it does nothing.
void returnFreeHeapToTheSystem();

// "jemalloc", or "system" (the C library's): the allocator the process runs on.
const char* heapAllocator();

}  // namespace ccm::core
