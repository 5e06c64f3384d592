#include "app/signal_waiter.hpp"

#include <pthread.h>

#include <initializer_list>

namespace ccm::core {

SignalWaiter::SignalWaiter() {
  sigemptyset(&set_);
  for (int signo : {SIGINT, SIGTERM, SIGQUIT, SIGHUP}) sigaddset(&set_, signo);
  pthread_sigmask(SIG_BLOCK, &set_, &previous_);
}

SignalWaiter::~SignalWaiter() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

int SignalWaiter::wait() {
  int signo = 0;
  while (sigwait(&set_, &signo) != 0) {
  }
  return signo;
}

}  // namespace ccm::core
