#include "observability/thread_name.hpp"

#include <pthread.h>

namespace ccm::core {

void nameCurrentThread(const std::string& name) {
  constexpr std::size_t kLinuxLimit = 15;  // TASK_COMM_LEN less the NUL
  pthread_setname_np(pthread_self(), name.substr(0, kLinuxLimit).c_str());
}

}  // namespace ccm::core
