#include "observability/thread_name.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace ccm::core {
namespace {

std::string ownNameAsPsShowsIt() {
  std::ifstream comm("/proc/self/task/" + std::to_string(::syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

// What a new thread that names itself `name` is called in /proc.
std::string nameSeenAfterNaming(const std::string& name) {
  std::string seen;
  std::thread([&] {
    nameCurrentThread(name);
    seen = ownNameAsPsShowsIt();
  }).join();
  return seen;
}

TEST(ThreadNameTest, NamesTheCallingThreadAsPsAndTopShowIt) {
  EXPECT_EQ(nameSeenAfterNaming("ccm-commit"), "ccm-commit");
}

TEST(ThreadNameTest, ALongNameKeepsItsFirstFifteenCharacters) {
  EXPECT_EQ(nameSeenAfterNaming("ccm-sink:a-sink-with-a-long-name"), "ccm-sink:a-sink");
}

}  // namespace
}  // namespace ccm::core
