// The two halves of every child the harness starts, written once: starting
// a program in a process group of its own (RunProcess for runs and builds,
// the fork server for warm interpreters), and waiting for it under a time
// limit and a cancel flag, stopping it when either comes first.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dspy_compat {

struct SpawnSpec {
  std::vector<std::string> argv{};           // argv[0] is looked up on PATH when it has no slash
  std::map<std::string, std::string> env{};  // the child's whole environment
  std::filesystem::path cwd{};               // empty: inherit
  std::filesystem::path output_path{};       // stdout and stderr both go here; empty: /dev/null
  // Descriptors the child gets besides stdin, stdout and stderr: {ours,
  // its number in the child}. Every other descriptor is closed in the child.
  std::vector<std::pair<int, int>> pass_fds{};
  // A network namespace (sandbox.h) the child starts in; -1: the harness's.
  int netns_fd = -1;
};

// Starts the program in a process group of its own (so that the whole tree
// can be killed at once, and a terminal's Ctrl-C reaches only the harness,
// which then stops it cleanly), with SIGINT, SIGTERM and SIGPIPE at their
// defaults, no signal blocked, stdin from /dev/null. Returns its pid, or
// nullopt with *error saying why it could not start.
std::optional<pid_t> SpawnInOwnGroup(const SpawnSpec& spec, std::string* error);

// How long to wait for a child and when to give up on it.
struct WaitLimits {
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::chrono::milliseconds timeout{0};  // 0: no limit
  const std::atomic<bool>* cancel = nullptr;
  std::chrono::milliseconds poll{50};  // how often cancel and the limit are looked at
  // After a stop, how long the child gets to be seen finished; nullopt: as
  // long as it takes (a SIGKILL to its group always ends it).
  std::optional<std::chrono::milliseconds> stop_grace{};
};

struct WaitEnd {
  bool finished = false;  // false: stopped, and not seen to end within the grace
  bool cancelled = false;
  bool timed_out = false;
};

// The one deadline loop: until finished() says so, wait(at most the poll
// interval or what is left of the limit). Once cancel is raised or the
// limit passes, notes which and calls stop() until it returns true (it may
// not be able to stop the child yet), then goes on waiting for finished().
// The callbacks run on the calling thread.
WaitEnd WaitWithLimits(const WaitLimits& limits, const std::function<bool()>& finished,
                       const std::function<void(std::chrono::milliseconds)>& wait,
                       const std::function<bool()>& stop);

}  // namespace dspy_compat
