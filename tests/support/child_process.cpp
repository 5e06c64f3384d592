#include "child_process.hpp"

#include <regex>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace ccm::testing {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    // Sockets the test holds (a fake receiver's listening socket, say) must
    // not live on in the child: a receiver the test stops would keep
    // queueing connections nobody accepts.
    close_range(3, ~0U, 0);
    for (const auto& entry : env) putenv(const_cast<char*>(entry.c_str()));
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  stdout_fd_ = out_pipe[0];
  stderr_fd_ = err_pipe[0];
}

ChildProcess::~ChildProcess() {
  if (!exit_code_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

bool ChildProcess::drain(int fd, std::string& into, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  char buffer[4096];
  const ssize_t n = read(fd, buffer, sizeof buffer);
  if (n > 0) into.append(buffer, static_cast<std::size_t>(n));
  return n > 0;
}

void ChildProcess::collectOutput() {
  while (drain(stdout_fd_, stdout_, 0) || drain(stderr_fd_, stderr_, 0)) {
  }
}

void ChildProcess::trimStderr(std::size_t keep) {
  if (stderr_.size() <= keep) return;
  const std::size_t cut = stderr_.size() - keep;
  stderr_.erase(0, cut);
  stderr_scanned_ = stderr_scanned_ > cut ? stderr_scanned_ - cut : 0;
}

std::optional<std::string> ChildProcess::waitForStderrLine(const std::string& needle,
                                                           std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    std::size_t newline;
    while ((newline = stderr_.find('\n', stderr_scanned_)) != std::string::npos) {
      std::string line = stderr_.substr(stderr_scanned_, newline - stderr_scanned_);
      stderr_scanned_ = newline + 1;
      if (line.find(needle) != std::string::npos) return line;
    }
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    const std::size_t before = stderr_.size();
    drain(stderr_fd_, stderr_, 50);
    drain(stdout_fd_, stdout_, 0);
    if (stderr_.size() == before && waitForExit(std::chrono::milliseconds(0))) {
      drain(stderr_fd_, stderr_, 0);
      if (stderr_.size() == before) return std::nullopt;
    }
  }
}

void ChildProcess::signal(int signo) {
  if (pid_ > 0 && !exit_code_) kill(pid_, signo);
}

std::optional<int> ChildProcess::waitForExit(std::chrono::milliseconds deadline) {
  if (exit_code_) return exit_code_;
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    // Keep the pipes drained so the child never blocks writing its logs.
    drain(stderr_fd_, stderr_, 10);
    drain(stdout_fd_, stdout_, 0);
  }
}

const std::string& ChildProcess::stdoutText() {
  while (drain(stdout_fd_, stdout_, 0)) {
  }
  return stdout_;
}

CommandResult runCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         std::chrono::milliseconds deadline) {
  ChildProcess child(argv, env);
  auto code = child.waitForExit(deadline);
  child.collectOutput();
  return {code.value_or(-1), child.stdoutText(), child.stderrText()};
}

std::optional<std::uint16_t> waitForListeningPort(ChildProcess& gateway, std::chrono::milliseconds deadline) {
  const auto line = gateway.waitForStderrLine("\"message\":\"listening\"", deadline);
  std::smatch match;
  if (!line || !std::regex_search(*line, match, std::regex("\"port\":\"([0-9]+)\""))) return std::nullopt;
  return static_cast<std::uint16_t>(std::stoi(match[1]));
}

}  // namespace ccm::testing
