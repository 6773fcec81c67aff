#include "process/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "process/sandbox.h"

namespace dspy_compat {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::optional<pid_t> SpawnInOwnGroup(const SpawnSpec& spec, std::string* error) {
  if (spec.argv.empty()) {
    *error = "no program given";
    return std::nullopt;
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
  int highest = STDERR_FILENO;
  for (const auto& [ours, theirs] : spec.pass_fds) {
    posix_spawn_file_actions_adddup2(&actions, ours, theirs);
    highest = std::max(highest, theirs);
  }
  // Nothing else the harness has open (the mock server's sockets, say) may
  // reach a child.
  posix_spawn_file_actions_addclosefrom_np(&actions, highest + 1);
  std::string cwd = spec.cwd.string();
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
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

  pid_t pid = 0;
  // The child inherits the namespaces of the thread that starts it.
  ScopedNetns in_netns(spec.netns_fd);
  if (!in_netns.ok()) {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    *error = "cannot enter the runs' network namespace: " + std::string(std::strerror(errno));
    return std::nullopt;
  }
  // posix_spawnp searches the parent's PATH, which is what a user expects
  // when they name "uv" or "python3".
  int rc = posix_spawnp(&pid, argv_c[0], &actions, &attr, argv_c.data(), envp_c.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    *error = "cannot start " + spec.argv[0] + ": " + std::strerror(rc);
    return std::nullopt;
  }
  return pid;
}

WaitEnd WaitWithLimits(const WaitLimits& limits, const std::function<bool()>& finished,
                       const std::function<void(std::chrono::milliseconds)>& wait,
                       const std::function<bool()>& stop) {
  WaitEnd end;
  const bool has_deadline = limits.timeout.count() > 0;
  const auto deadline = limits.started + limits.timeout;
  std::optional<Clock::time_point> stopped_at;
  for (;;) {
    if (finished()) {
      end.finished = true;
      return end;
    }
    if (!end.cancelled && !end.timed_out) {
      if (limits.cancel != nullptr && limits.cancel->load()) {
        end.cancelled = true;
      } else if (has_deadline && Clock::now() >= deadline) {
        end.timed_out = true;
      }
    }
    if ((end.cancelled || end.timed_out) && !stopped_at) {
      if (stop()) stopped_at = Clock::now();
    }
    if (stopped_at && limits.stop_grace && Clock::now() - *stopped_at > *limits.stop_grace) {
      return end;
    }
    auto wait_for = limits.poll;
    if (has_deadline && !end.timed_out && !end.cancelled) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      wait_for = std::clamp(left, std::chrono::milliseconds(1), limits.poll);
    }
    wait(wait_for);
  }
}

}  // namespace dspy_compat
