// Warm interpreters, one per target, started on a target's first run and
// stopped at the end of the session. A run started from one costs about what
// its scenario costs instead of a DSPy import. When a target's interpreter
// cannot serve (it would not start, or forking it is unsafe), its runs fall
// back to a fresh interpreter each, and the reason goes into their results.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"
#include "process/subprocess.h"
#include "runner/containment.h"
#include "runner/fork_server.h"

namespace dspy_compat {

// What a warm start gave: the run's outcome, or why there was none (then
// nothing ran, and the run is to be started cold).
struct WarmStart {
  std::optional<ProcessOutcome> outcome;
  std::string fallback_reason;
};

// What the executor needs from warm interpreters: an interface so that its
// fallback is tested without Python.
class WarmStarter {
 public:
  virtual ~WarmStarter() = default;
  virtual WarmStart Run(const Target& target, const WarmRun& run,
                        const std::atomic<bool>* cancel) = 0;
};

struct WarmPoolOptions {
  std::filesystem::path server_script;  // target_runner/dspy_compat_forkserver.py
  std::filesystem::path work_root;      // each target's server gets a folder below it
  // The harness's environment, from which each server's is built like a run's.
  std::map<std::string, std::string> parent_env;
  ContainmentPolicy containment{};  // the same as runs get, or no run could start warm
  std::chrono::milliseconds start_timeout{std::chrono::minutes(3)};
  const Sandbox* sandbox = nullptr;  // where the servers start (fork_server.h); nullptr: none
  // Told once per target when its runs fall back to fresh interpreters.
  std::function<void(std::string_view)> log;
};

class WarmPool : public WarmStarter {
 public:
  explicit WarmPool(WarmPoolOptions options);
  ~WarmPool() override;

  WarmStart Run(const Target& target, const WarmRun& run, const std::atomic<bool>* cancel) override;

  // Stops every server (they kill whatever they still run). Runs after this
  // fall back to fresh interpreters.
  void Stop();

  // Where a target's server lives: its HOME, caches and log (server.log).
  std::filesystem::path ServerDir(const Target& target) const;

 private:
  struct Slot {
    std::mutex start;  // held while the server starts: other runs wait for it
    std::shared_ptr<ForkServer> server;
    std::string unavailable;  // why this target runs cold; empty until known
  };

  std::shared_ptr<ForkServer> ServerFor(const Target& target, const std::atomic<bool>* cancel,
                                        std::string* why_not);
  void Unavailable(Slot& slot, const Target& target, const std::string& why);

  WarmPoolOptions options_;
  std::mutex mutex_;
  bool stopped_ = false;
  std::map<std::string, std::unique_ptr<Slot>> slots_;  // by target name and interpreter
};

}  // namespace dspy_compat
