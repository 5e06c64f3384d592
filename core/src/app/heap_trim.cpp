#include "app/heap_trim.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ccm::core {

void returnFreeHeapToTheSystem() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace ccm::core
