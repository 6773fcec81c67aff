// A session: the runs one `dspy-compat run` makes of scenarios x targets,
// planned in rounds and driven to the end or to an interrupt (lit's run.py).
// It owns what decides the runs (REQUIRES, repetitions, adaptive
// repetitions, a shard's slice), which targets are provisioned and in what
// order, the order runs start and are recorded in, and handing each
// finished run to a sink as it comes. Executing one run is a callback: the
// RunExecutor in the tool, a fake in the tests.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/model.h"
#include "results/adaptive_repeat.h"
#include "runner/results_sink.h"
#include "runner/run_plan.h"
#include "runner/scheduler.h"

namespace dspy_compat {

// What a session runs; built from the command line.
struct SessionSpec {
  std::vector<Scenario> scenarios;
  std::vector<Target> targets;
  PlanOptions plan;                        // repetitions, time limits, REQUIRES (plan.supported)
  std::optional<AdaptiveRepeat> adaptive;  // repetitions decided per pair from its outcomes
  // Adaptive repetitions as `run`'s default (no --repeat): a scenario's own
  // REPEAT still fixes its pairs' count.
  bool scenario_repeat_wins = false;
  std::optional<ShardInfo> shard;  // this machine's slice of the matrix
};

// Hears what a session does (the progress display). Run* calls come one at a
// time, from worker threads.
class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  // A round is about to start with these runs (every round, the first too).
  virtual void RoundPlanned(const std::vector<RunSpec>& /*round*/) {}
  virtual void RunStarted(const RunSpec& /*spec*/) {}
  virtual void RunFinished(const RunSpec& /*spec*/, const RunResult& /*result*/) {}
};

// A (scenario, target) pair, by index into the spec's lists.
struct SessionPair {
  std::size_t scenario = 0;
  std::size_t target = 0;
};

// Adaptive shards hold whole scenarios when the targets are separated
// (separation_alpha > 0): the rule compares a scenario's baseline pair with
// its later pairs, so one shard must run them all. Otherwise they hold whole
// pairs, and a shard installs only the targets of its pairs.
bool ShardsHoldScenarios(const SessionSpec& spec);

// The pairs an adaptive session decides repetitions for: those REQUIRES
// allows, in scenario-major then target order, and of them the shard's
// (PairInShard on the scenario's index when ShardsHoldScenarios, else on
// the pair's).
std::vector<SessionPair> AdaptivePairs(const SessionSpec& spec);

// The runs of the next round, given the runs finished so far: first the
// whole plan (or the shard's slice of it) less what is done; with adaptive
// repetitions, for each pair the runs it still needs (MoreRunsNeeded on its
// own outcomes; the baseline target's with BaselinePolicy) and, where the
// baseline and a later target of a scenario differ by what could be chance,
// the runs MoreRunsToSeparate gives both (the larger of the two asks);
// numbered after the pair's last. A scenario whose REPEAT fixes its count
// (scenario_repeat_wins) is not extended. Repetition-major, as a fixed plan,
// so that an interrupted round still covers every pair. Empty: complete.
// Pure, so that the runs of a session depend only on its spec and outcomes.
std::vector<RunSpec> NextRound(const SessionSpec& spec, const std::vector<RunResult>& done);

// The runs of a recorded plan (results.json's `plan`) as the spec makes
// them: same run ids, seeds, time limits. Throws SessionError when the spec
// no longer has a run's scenario or target, or makes another run id.
std::vector<RunSpec> SpecsOfPlan(const SessionSpec& spec, const std::vector<PlannedRun>& plan);

struct SessionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Plan order, as results.json lists runs: repetition, scenario, target.
void SortInPlanOrder(const SessionSpec& spec, std::vector<RunResult>& runs);

class Session {
 public:
  using Execute = Scheduler::Execute;
  // Makes a target ready to run (its environment built or found in the
  // cache) and returns it with its interpreter; may throw.
  using Provision = std::function<Target(const Target&)>;

  explicit Session(SessionSpec spec);

  // Indexes of the targets the session runs anything on, in definition
  // order. Unsharded: every target. A shard provisions only the targets of
  // its own slice: with N even and two targets, each CI job installs one
  // (not when adaptive shards hold whole scenarios: ShardsHoldScenarios).
  std::vector<std::size_t> TargetsInUse() const;

  // Provisions the targets in use, in order, each replaced by what
  // `provision` returns. False when cancel was raised (checked after each).
  // What `provision` throws propagates, with the targets so far provisioned.
  bool ProvisionTargets(const Provision& provision, const std::atomic<bool>& cancel);

  const SessionSpec& spec() const { return spec_; }

  // Resumes a session that stopped: `done` are its finished runs, `planned`
  // the runs it had planned (results.json's `plan`). Run first finishes the
  // planned runs not done (the round that was cut short, as it was planned:
  // an adaptive pair's next round depends on a whole round's outcomes), then
  // plans on as an uninterrupted session would. Call before Run; throws
  // SessionError as SpecsOfPlan.
  void Restore(std::vector<RunResult> done, const std::vector<PlannedRun>& planned);

  // The round Run starts next: the rest of a restored round, else NextRound
  // of the runs finished so far (before Run: the first round).
  std::vector<RunSpec> NextRound() const;

  // Every planned run has finished and no round is left to plan.
  bool Complete() const { return NextRound().empty(); }

  // Runs rounds, `jobs` runs at a time, until the session is complete or
  // cancel is raised (runs going then are cancelled by `execute` and left
  // out). Each round goes to the observer, then to the sink, before it
  // starts; each finished run to the sink, then to the observer, as it
  // finishes. Returns
  // every finished run, in plan order.
  const std::vector<RunResult>& Run(int jobs, const Execute& execute,
                                    const std::atomic<bool>& cancel,
                                    SessionObserver* observer = nullptr,
                                    ResultsSink* sink = nullptr);

  const std::vector<RunResult>& runs() const { return runs_; }
  // Runs of every round started so far.
  int planned_runs() const { return static_cast<int>(plan_.size()); }
  // Those runs, round by round, as results.json records them (v1.11).
  const std::vector<PlannedRun>& plan() const { return plan_; }

 private:
  SessionSpec spec_;
  std::vector<RunResult> runs_;
  std::vector<PlannedRun> restored_round_;  // planned (before a restore or a cancel), not done
  std::vector<PlannedRun> plan_;
};

}  // namespace dspy_compat
