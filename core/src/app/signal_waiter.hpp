#pragma once

#include <signal.h>

namespace ccm::core {

// Blocks SIGINT, SIGTERM, SIGQUIT and SIGHUP in the calling thread from
// construction on. Construct it before any thread starts: threads inherit the
// mask, so no thread can be killed by a signal's default action and every
// signal reaches wait(). (Poco's waitForTerminationRequest blocks only late,
// in the main thread, which races with early signals.)
class SignalWaiter {
public:
  SignalWaiter();
  ~SignalWaiter();
  // Waits for one of the signals and returns its number.
  int wait();

private:
  sigset_t set_;
  sigset_t previous_;
};

}  // namespace ccm::core
