// One warm interpreter for one target (target_runner/dspy_compat_forkserver.py):
// it has imported DSPy and the runner once, and forks a child per run. This
// is the harness's side of it: starting it, asking it for runs, waiting for
// them with the same time limit, cancel and process-group semantics as
// RunProcess, and stopping it. Safe to use from several threads at once.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "process/sandbox.h"
#include "process/subprocess.h"

namespace dspy_compat {

// Why a warm interpreter cannot serve: it did not start, could not import
// DSPy, or found that forking it would not give runs a fresh state.
class WarmStartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ForkServerOptions {
  std::filesystem::path interpreter;
  std::filesystem::path script;  // dspy_compat_forkserver.py
  std::string label;             // shown in its command line, e.g. the session's folder
  // Its whole environment, built as a run's is: a run's may differ from it
  // only in the per-run variables (HOME, TMPDIR, caches, API base).
  std::map<std::string, std::string> env;
  std::filesystem::path cwd;
  std::filesystem::path log_path;  // its own stdout and stderr
  std::chrono::milliseconds start_timeout{std::chrono::minutes(3)};
  // Started inside bwrap (home hidden, dying with the harness, in the runs'
  // network namespace), it gives each run a PID namespace of its own.
  // nullptr: a process group per run only.
  const Sandbox* sandbox = nullptr;
};

// One run, as RunProcess would start it with the runner script.
struct WarmRun {
  std::vector<std::string> runner_args;  // what the runner takes after its script's path
  std::map<std::string, std::string> env;
  std::filesystem::path cwd;
  std::filesystem::path output_path;     // stdout and stderr both go here
  std::chrono::milliseconds timeout{0};  // 0: no limit
  std::size_t output_tail_bytes = 16 * 1024;
};

class ForkServer {
 public:
  // Starts the interpreter and waits until it has imported DSPy. Throws
  // WarmStartError with the reason when it cannot serve runs.
  ForkServer(const ForkServerOptions& options, const std::atomic<bool>* cancel);
  // Stops it: it kills whatever it still runs, then its own group dies.
  ~ForkServer();
  ForkServer(const ForkServer&) = delete;
  ForkServer& operator=(const ForkServer&) = delete;

  // Forks one run and waits for it. nullopt, with *refused set, when the
  // server did not start it (it found forking unsafe, or is gone): nothing
  // ran, and the caller may start the run some other way.
  std::optional<ProcessOutcome> Run(const WarmRun& run, const std::atomic<bool>* cancel,
                                    std::string* refused);

  // Why the server will refuse every run from now on (it said so, or it is
  // gone); empty while it serves.
  std::string WhyUnusable() const;
  pid_t pid() const { return pid_; }
  // Each run it forks gets a PID namespace of its own (it said so when ready).
  bool own_pid_namespaces() const { return own_pid_namespaces_; }

 private:
  struct Pending {
    std::optional<pid_t> pid;
    std::optional<std::string> refused;
    bool exited = false;
    std::optional<int> exit_code;
    std::optional<int> term_signal;
  };

  void Spawn(const ForkServerOptions& options);
  void AwaitReady(const ForkServerOptions& options, const std::atomic<bool>* cancel);
  bool Send(const std::string& line);
  void ReadEvents();
  void Dispatch(const std::string& line);
  void KillRun(std::uint64_t id, pid_t pid);
  void Stop();

  pid_t pid_ = -1;
  bool own_pid_namespaces_ = false;
  int socket_ = -1;
  std::string buffer_;  // bytes read but not yet a whole line
  std::mutex send_mutex_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::uint64_t, Pending> pending_;
  std::uint64_t next_id_ = 1;
  bool lost_ = false;         // end of file from the server
  bool distrusted_ = false;   // it said something no server of ours says; it is being stopped
  std::string unusable_why_;  // set when the server refuses everything
  std::thread reader_;
};

}  // namespace dspy_compat
