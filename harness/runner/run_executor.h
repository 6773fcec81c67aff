// Executes one run: a fresh folder, the target's interpreter on our Python
// runner (target_runner/dspy_compat_runner.py) with the scenario, a time
// limit, and the runner's result file turned into a RunResult. The
// interpreter is forked from the target's warm one when there is one, else
// started fresh; RunResult::start_mode says which, and why.
#pragma once

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/model.h"
#include "process/sandbox.h"
#include "process/subprocess.h"
#include "runner/containment.h"
#include "runner/lm_endpoint.h"
#include "runner/run_plan.h"
#include "runner/warm_pool.h"

namespace dspy_compat {

struct ExecutorConfig {
  std::filesystem::path runner_script;  // dspy_compat_runner.py
  std::filesystem::path work_root;      // per-run folders go below it
  bool keep_work = false;               // keep each run's folder for debugging
  std::size_t output_tail_bytes = 8 * 1024;
  // Starts runs from warm interpreters (falling back to a fresh one when a
  // target's cannot serve); nullptr: a fresh interpreter per run (--cold).
  WarmStarter* warm = nullptr;
  // Keys scrubbed, variables passed, the refusing proxy (containment.h).
  ContainmentPolicy containment{};
  // Per run, set by the runner on itself (so warm and cold alike) before the
  // scenario starts: its heap (RLIMIT_DATA; MemoryError past it) and the
  // largest file it may write, its output included (RLIMIT_FSIZE; SIGXFSZ).
  // 0: no limit.
  int memory_limit_mb = 4096;
  int output_limit_mb = 64;
  // Kernel-level containment of fresh interpreters (bwrap, the runs'
  // network namespace); a warm one's runs get theirs from its fork server.
  // nullptr: a process group only.
  const Sandbox* sandbox = nullptr;
  // run --project: the project's root, put on sys.path after the scenario's
  // folder (the runner's --project-root); empty: none.
  std::filesystem::path project_root{};
};

class RunExecutor {
 public:
  // processes: where fresh interpreters are started (real child processes
  // unless a test fakes them).
  RunExecutor(ExecutorConfig config, LmEndpoint& endpoint,
              ProcessRunner& processes = ChildProcesses());

  // Returns nullopt when cancel was raised while the run was going: an
  // interrupted run has no verdict and is left out of the results.
  std::optional<RunResult> Execute(const RunSpec& spec, const std::atomic<bool>* cancel);

 private:
  ExecutorConfig config_;
  LmEndpoint& endpoint_;
  ProcessRunner& processes_;
};

// Pure: what a finished process and the runner's result file (if it wrote
// one) mean for the run. runner_result is the parsed file, or nullopt;
// journal_requests: the requests the mock server journaled for the run. The
// result is written in the scenario's own process, so it is checked against
// what the scenario cannot reach: a result that the process's exit status or
// the journal contradicts is an error naming the disagreement, never a pass.
RunResult ClassifyRun(const RunSpec& spec, const ProcessOutcome& process,
                      const std::optional<nlohmann::json>& runner_result, int journal_requests);

}  // namespace dspy_compat
