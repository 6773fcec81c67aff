#include "process/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

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

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Waits for pid to exit; returns its wait status, or nullopt when the limit
// passed or cancel was raised first.
std::optional<int> WaitFor(pid_t pid, Clock::time_point deadline, bool has_deadline,
                           const std::atomic<bool>* cancel) {
  int pidfd = OpenPidfd(pid);
  for (;;) {
    auto wait_ms = kCancelPollInterval;
    if (has_deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      wait_ms = std::min(wait_ms, left);
    }
    if (pidfd >= 0) {
      pollfd pfd{pidfd, POLLIN, 0};
      ::poll(&pfd, 1, static_cast<int>(wait_ms.count()));
    } else {
      std::this_thread::sleep_for(std::min(wait_ms, std::chrono::milliseconds(5)));
    }
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (pidfd >= 0) ::close(pidfd);
      return status;
    }
    if (cancel != nullptr && cancel->load()) break;
  }
  if (pidfd >= 0) ::close(pidfd);
  return std::nullopt;
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
  if (spec.argv.empty()) {
    outcome.start_error = "no program given";
    return outcome;
  }
  std::vector<std::string> argv = spec.argv;
  std::vector<std::string> envp;
  for (const auto& [k, v] : spec.env) envp.push_back(k + "=" + v);
  auto argv_c = CStrings(argv);
  auto envp_c = CStrings(envp);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::string output = spec.output_path.empty() ? "/dev/null" : spec.output_path.string();
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // Nothing else the harness has open (the mock server's sockets, say) may
  // reach a run: only stdin, stdout and stderr.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  std::string cwd = spec.cwd.string();
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // A group of its own, so that the whole tree can be killed at once and a
  // terminal's Ctrl-C reaches only the harness, which then stops it cleanly.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGINT);
  sigaddset(&default_signals, SIGTERM);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  auto started_at = Clock::now();
  pid_t pid = 0;
  // posix_spawnp searches the parent's PATH, which is what a user expects
  // when they name "uv" or "python3".
  int rc = posix_spawnp(&pid, argv_c[0], &actions, &attr, argv_c.data(), envp_c.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    outcome.start_error = "cannot start " + spec.argv[0] + ": " + std::strerror(rc);
    return outcome;
  }
  outcome.started = true;

  bool has_deadline = spec.timeout.count() > 0;
  auto status = WaitFor(pid, started_at + spec.timeout, has_deadline, cancel);
  if (!status) {
    outcome.cancelled = cancel != nullptr && cancel->load();
    outcome.timed_out = !outcome.cancelled;
    KillGroup(pid);
    int s = 0;
    ::waitpid(pid, &s, 0);
    status = s;
  }
  KillGroup(pid);  // stragglers the program left in its group
  outcome.wall_seconds = std::chrono::duration<double>(Clock::now() - started_at).count();
  if (WIFEXITED(*status)) outcome.exit_code = WEXITSTATUS(*status);
  if (WIFSIGNALED(*status)) outcome.term_signal = WTERMSIG(*status);
  if (!spec.output_path.empty()) {
    outcome.output_tail = ReadFileTail(spec.output_path, spec.output_tail_bytes);
  }
  return outcome;
}

}  // namespace dspy_compat
