// Starting a child program in its own process group, with a time limit and a
// cancel flag, and killing the whole group afterwards. This is where the
// outside world (processes, the clock) enters the runner and provisioning.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dspy_compat {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no slash
  // The child's whole environment. Never inherited implicitly: callers build
  // it from an allow-list (see runner/run_environment.h).
  std::map<std::string, std::string> env;
  std::filesystem::path cwd;             // empty: inherit
  std::filesystem::path output_path;     // stdout and stderr both go here; empty: /dev/null
  std::chrono::milliseconds timeout{0};  // 0: no limit
  std::size_t output_tail_bytes = 16 * 1024;
  int netns_fd = -1;  // a network namespace to start it in (sandbox.h); -1: the harness's
};

struct ProcessOutcome {
  bool started = false;
  std::string start_error;  // why the program could not be started
  std::optional<int> exit_code;
  std::optional<int> term_signal;
  bool timed_out = false;
  bool cancelled = false;
  double wall_seconds = 0;
  std::string output_tail;  // the last output_tail_bytes of the output file
  // The run had a PID namespace of its own (set by a fork server that made
  // one; a cold run's executor knows it wrapped the run in bwrap).
  bool own_pid_namespace = false;
};

// Runs the program to completion, the time limit, or until *cancel becomes
// true, whichever comes first. In the last two cases the child's process
// group receives SIGKILL. The group is also killed after a normal exit, so
// that nothing the program left behind outlives its run.
ProcessOutcome RunProcess(const ProcessSpec& spec, const std::atomic<bool>* cancel = nullptr);

// Where child processes enter the runner (ninja's CommandRunner): the
// executor starts its fresh interpreters through one, and its tests fake it.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  virtual ProcessOutcome Run(const ProcessSpec& spec, const std::atomic<bool>* cancel) = 0;
};

// Real child processes, by RunProcess.
class ChildProcessRunner : public ProcessRunner {
 public:
  ProcessOutcome Run(const ProcessSpec& spec, const std::atomic<bool>* cancel) override;
};
// One for everyone: it has no state.
ProcessRunner& ChildProcesses();

// The current process's environment as a map (for building allow-lists).
std::map<std::string, std::string> CurrentEnvironment();

// "SIGKILL" for 9, "signal 64" for unknown numbers.
std::string SignalName(int signal_number);

// Reads at most max_bytes from the end of a file ("" if it cannot be read).
std::string ReadFileTail(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace dspy_compat
