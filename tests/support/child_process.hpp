#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ccm::testing {

// A child process with its stdout and stderr captured through pipes, for tests
// that run the real ccm-gateway executable.
class ChildProcess {
public:
  // Starts `argv[0]` with `argv`; `env` entries ("NAME=value") are added to
  // the current environment.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads stderr until a line containing `needle` arrives; std::nullopt when
  // the deadline passes or the stream ends first. Lines read are kept.
  std::optional<std::string> waitForStderrLine(const std::string& needle, std::chrono::milliseconds deadline);
  void signal(int signo);
  int pid() const { return pid_; }
  // Exit code, or std::nullopt if still running at the deadline (128+N when
  // killed by signal N).
  std::optional<int> waitForExit(std::chrono::milliseconds deadline);

  // Reads everything the pipes hold now (all of it, once the child exited).
  void collectOutput();
  // Forgets all but the last `keep` bytes read from stderr (for a child that
  // logs a lot for a long time, read by collectOutput() so it never blocks).
  void trimStderr(std::size_t keep);
  const std::string& stdoutText();  // everything written to stdout so far
  const std::string& stderrText() const { return stderr_; }

private:
  bool drain(int fd, std::string& into, int timeout_ms);

  int pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::optional<int> exit_code_;
  std::string stdout_;
  std::string stderr_;
  std::size_t stderr_scanned_ = 0;
};

// The port a ccm-gateway child logs in its "listening" line; std::nullopt
// when that line does not come before the deadline.
std::optional<std::uint16_t> waitForListeningPort(ChildProcess& gateway, std::chrono::milliseconds deadline);

// Runs a command to completion and returns {exit code, stdout, stderr}.
struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};
CommandResult runCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                         std::chrono::milliseconds deadline = std::chrono::seconds(60));

}  // namespace ccm::testing
