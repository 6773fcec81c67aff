#include "process/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "process/spawn.h"

extern char** environ;

namespace dspy_compat {
namespace {

using Clock = std::chrono::steady_clock;

// How often a waiting parent looks at the cancel flag.
constexpr std::chrono::milliseconds kCancelPollInterval{50};

int OpenPidfd(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

void KillGroup(pid_t pgid) {
  if (pgid > 0) ::kill(-pgid, SIGKILL);
}

}  // namespace

std::map<std::string, std::string> CurrentEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

std::string SignalName(int signal_number) {
  const char* abbrev = sigabbrev_np(signal_number);
  if (abbrev == nullptr) return "signal " + std::to_string(signal_number);
  return std::string("SIG") + abbrev;
}

std::string ReadFileTail(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  auto size = static_cast<std::size_t>(in.tellg());
  std::size_t start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string out(size - start, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

ProcessOutcome RunProcess(const ProcessSpec& spec, const std::atomic<bool>* cancel) {
  ProcessOutcome outcome;
  auto started_at = Clock::now();
  std::optional<pid_t> pid = SpawnInOwnGroup({.argv = spec.argv,
                                              .env = spec.env,
                                              .cwd = spec.cwd,
                                              .output_path = spec.output_path,
                                              .netns_fd = spec.netns_fd},
                                             &outcome.start_error);
  if (!pid) return outcome;
  outcome.started = true;

  int pidfd = OpenPidfd(*pid);
  int status = 0;
  WaitEnd end = WaitWithLimits(
      {.started = started_at,
       .timeout = spec.timeout,
       .cancel = cancel,
       .poll = kCancelPollInterval},
      [&] {
        pid_t r = ::waitpid(*pid, &status, WNOHANG);
        return r == *pid || (r < 0 && errno != EINTR);
      },
      [&](std::chrono::milliseconds wait) {
        if (pidfd >= 0) {
          pollfd pfd{pidfd, POLLIN, 0};
          ::poll(&pfd, 1, static_cast<int>(wait.count()));
        } else {
          std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(5)));
        }
      },
      [&] {
        KillGroup(*pid);
        return true;
      });
  if (pidfd >= 0) ::close(pidfd);
  outcome.cancelled = end.cancelled;
  outcome.timed_out = end.timed_out;
  KillGroup(*pid);  // stragglers the program left in its group
  outcome.wall_seconds = std::chrono::duration<double>(Clock::now() - started_at).count();
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.term_signal = WTERMSIG(status);
  if (!spec.output_path.empty()) {
    outcome.output_tail = ReadFileTail(spec.output_path, spec.output_tail_bytes);
  }
  return outcome;
}

ProcessOutcome ChildProcessRunner::Run(const ProcessSpec& spec, const std::atomic<bool>* cancel) {
  return RunProcess(spec, cancel);
}

ProcessRunner& ChildProcesses() {
  static ChildProcessRunner runner;
  return runner;
}

}  // namespace dspy_compat
