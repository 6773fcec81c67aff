// Kernel-level containment of runs, by bubblewrap (bwrap, Debian's package)
// and a network namespace: each run in a PID namespace of its own (it cannot
// signal the harness or a fork server, and every process it started, setsid
// or double-forked, dies when it ends), dying with the harness, with the
// user's home hidden, and in a network namespace whose only interface is
// loopback (where the mock LM server listens). Where bwrap or namespaces are
// missing (some CI runners), runs fall back to a process group killed at the
// end, and each run's results record which containment it had.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "process/subprocess.h"

namespace dspy_compat {

// --sandbox: auto uses bwrap when it works here, bwrap insists on it, none
// keeps the process group only.
enum class SandboxMode { kAuto, kBwrap, kNone };
std::optional<SandboxMode> ParseSandboxMode(std::string_view text);

// What runs get; filled in once per session by PrepareSandbox.
struct Sandbox {
  std::filesystem::path bwrap{};  // empty: no bwrap (process group only)
  // Not root: bwrap makes a user namespace, where a fork server may make
  // a PID namespace per run (CAP_SYS_ADMIN there only).
  bool user_namespace = false;
  // The user's home, hidden behind an empty tmpfs; empty: left visible.
  std::filesystem::path hidden_home{};
  // Folders under the hidden home that runs need (the environment cache,
  // the interpreter's prefix, scenarios, the session's folder), bound back.
  std::vector<std::filesystem::path> read_only{};
  std::vector<std::filesystem::path> writable{};
  // Bound read-only wherever they are, home hidden or not (run --project:
  // the team's project, which runs never write); writable folders inside
  // them are bound back writable.
  std::vector<std::filesystem::path> read_only_everywhere{};
  int netns_fd = -1;      // a loopback-only network namespace runs join; -1: none
  std::string why_not{};  // why runs have less than a full sandbox (for the log)

  bool enabled() const { return !bwrap.empty(); }
  // What a run had, as results.json records it (`sandbox`): "process-group",
  // or "pidns" plus "+netns" (loopback only) and "+nohome" (home hidden).
  std::string Label(bool own_pid_namespace) const;
  // The bwrap command line that runs argv inside the sandbox, for a run (a
  // PID namespace of its own, of which bwrap is the init, dying with the
  // thread that starts it) or for a fork server (which makes a PID namespace
  // per run itself, so that the pids it reports are the harness's, and
  // stops when its control socket closes: a parent-death signal would fire
  // when the worker thread that happened to start it ends). Extra folders
  // are bound back read-only too.
  enum class For { kRun, kForkServer };
  std::vector<std::string> Wrap(const std::vector<std::string>& argv, For what,
                                const std::vector<std::filesystem::path>& extra_read_only) const;
};

// Probes bwrap (and, as root, a network namespace) and returns what runs
// will have. home: the user's $HOME to hide unless pass_home. Throws
// std::runtime_error when mode is kBwrap and bwrap does not work here.
Sandbox PrepareSandbox(SandboxMode mode, bool pass_home, const std::filesystem::path& home);

// The folder an interpreter's installation lives in (a venv's python is a
// link to it, e.g. under ~/.pyenv): bound back into runs when home is hidden.
std::filesystem::path InterpreterPrefix(const std::filesystem::path& interpreter);

// bwrap, as the runs' parent, reports a run killed by signal N as exit code
// 128+N; this turns that back into the signal (a run that itself exits with
// 129..192 and no result is taken for killed: an ambiguity bwrap leaves).
void UndoBwrapExitStatus(ProcessOutcome& outcome);

// A network namespace whose only interface is loopback, up. Needs
// CAP_SYS_ADMIN (root); nullopt with *why otherwise. The descriptor keeps it
// alive; close it when done.
std::optional<int> MakeLoopbackNetns(std::string* why);

// Moves the calling thread into a network namespace until destroyed:
// sockets it makes (the mock server's listening one) and processes it
// starts live there. fd -1: does nothing.
class ScopedNetns {
 public:
  explicit ScopedNetns(int netns_fd);
  ~ScopedNetns();
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;
  bool ok() const { return ok_; }

 private:
  int original_ = -1;
  bool ok_ = true;
};

}  // namespace dspy_compat
