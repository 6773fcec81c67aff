// The changed DSPy code a regression ran (issue 13): after a session, the
// scenario of each of a few regression or behaviour-change pairs is run
// once more on each side with the runner's line tracing (--trace-dspy), the
// two installed DSPy packages are diffed
// (target_runner/dspy_compat_changed_code.py) and the changed hunks either
// side executed are kept, those in files on the failing traceback first.
// The reruns are not runs of the session: they go into results.json's
// changed_code only. Running and diffing go through ChangedCodeProbe, so
// which pairs, what is asked and how hunks are ordered are tested without a
// process.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/model.h"
#include "process/subprocess.h"
#include "runner/run_plan.h"

namespace dspy_compat {

// Where the outside world enters: one traced run and one diff.
class ChangedCodeProbe {
 public:
  virtual ~ChangedCodeProbe() = default;
  // Runs spec (its trace_dspy set) once; nullopt when cancelled.
  virtual std::optional<RunResult> TracedRun(const RunSpec& spec,
                                             const std::atomic<bool>* cancel) = 0;
  // Diffs the DSPy packages the two traces name and keeps the hunks they
  // ran: the diff's JSON text (schema dspy-compat/changed-code/v1). Throws
  // ChangedCodeError with one line when it cannot.
  virtual std::string Diff(const Target& baseline, const Target& later,
                           const std::filesystem::path& baseline_trace,
                           const std::filesystem::path& later_trace) = 0;
};

class ChangedCodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ChangedCodeOptions {
  int max_pairs = 3;
  std::filesystem::path work;  // traces go here
  // A pair's run to repeat: the session's plan for (scenario, target).
  std::function<RunSpec(const Scenario&, const Target&, std::size_t target_index)> spec_for;
};

// Reads the diff's JSON into a ChangedCode (pair fields left empty);
// throws ChangedCodeError naming what is wrong.
ChangedCode ParseChangedCode(const std::string& json_text);

// Marks the hunks whose file a traceback's `File "..."` lines name (as a
// path ending in /<file>), and puts them first, otherwise keeping order.
void OrderByTraceback(std::vector<ChangedHunk>& hunks, const std::string& traceback);

// For the first max_pairs regression or behaviour-change pairs of results
// (catalogue order, then target order): reruns, diffs, orders. A pair whose
// rerun or diff failed has its error set. Stops (returning what it has)
// once cancel is raised.
std::vector<ChangedCode> FindChangedCode(const Results& results,
                                         const std::vector<Scenario>& scenarios,
                                         const std::vector<Target>& targets,
                                         ChangedCodeProbe& probe, const ChangedCodeOptions& options,
                                         const std::atomic<bool>* cancel);

// The real probe: runs through `execute` (the session's executor) and diffs
// with `python` (the later target's interpreter) running the diff script
// through `processes`.
class ProcessChangedCodeProbe : public ChangedCodeProbe {
 public:
  using Execute = std::function<std::optional<RunResult>(const RunSpec&, const std::atomic<bool>*)>;
  ProcessChangedCodeProbe(Execute execute, std::filesystem::path diff_script,
                          std::filesystem::path work, ProcessRunner& processes = ChildProcesses());
  std::optional<RunResult> TracedRun(const RunSpec& spec, const std::atomic<bool>* cancel) override;
  std::string Diff(const Target& baseline, const Target& later,
                   const std::filesystem::path& baseline_trace,
                   const std::filesystem::path& later_trace) override;

 private:
  Execute execute_;
  std::filesystem::path diff_script_;
  std::filesystem::path work_;
  ProcessRunner& processes_;
};

// After a session: the changed code of its first three regression or
// behaviour-change pairs, each side rerun as the session planned it (its
// PlanOptions, repetition 1) through `execute`, the traces in `work`
// (created), the packages diffed by `diff_script`.
std::vector<ChangedCode> FindChangedCodeOfSession(
    const Results& results, const std::vector<Scenario>& scenarios,
    const std::vector<Target>& targets, const PlanOptions& plan,
    ProcessChangedCodeProbe::Execute execute, const std::filesystem::path& diff_script,
    const std::filesystem::path& work, const std::atomic<bool>* cancel);

}  // namespace dspy_compat
