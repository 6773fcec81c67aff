// Expanding scenarios x targets x repetitions into the runs to execute.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/model.h"

namespace dspy_compat {

struct RunSpec {
  Scenario scenario;
  Target target;
  int repetition = 1;  // 1-based
  std::string run_id;  // safe in a URL path and a file name
  DelaySpec lm_delay;
  std::chrono::seconds timeout{60};
  std::filesystem::path mock_fixture;  // the scenario's MOCK-FIXTURE, resolved; empty: none
  // Where the run's DSPy line trace (the runner's --trace-dspy) is copied
  // once it ends; empty: not traced (runner/changed_code.h traces reruns).
  std::filesystem::path trace_dspy = {};
};

struct PlanOptions {
  std::optional<int> repeat;  // --repeat; overrides the scenario's REPEAT
  int default_repeat = 1;
  std::chrono::seconds default_timeout{120};
  std::optional<std::chrono::seconds> timeout;  // --timeout; overrides TIMEOUT
  DelaySpec default_lm_delay{5, 15};
  // Whether a scenario runs on a target at all (its REQUIRES); unset: always.
  std::function<bool(const Scenario&, const Target&)> supported;
};

// What results.json records of a planned run (results v1.11).
PlannedRun PlannedRunOf(const RunSpec& spec);

// One run of a plan: scenario on targets[target_index], repetition rep.
RunSpec MakeRunSpec(const Scenario& scenario, const Target& target, std::size_t target_index,
                    int repetition, const PlanOptions& options);

// Repetition-major order (every scenario and target once, then again), so
// that an interrupted session still has results for every pair.
std::vector<RunSpec> PlanRuns(const std::vector<Scenario>& scenarios,
                              const std::vector<Target>& targets, const PlanOptions& options);

class PlanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "I/N" with 1 <= I <= N <= 1000; throws PlanError with a one-line message.
ShardInfo ParseShard(const std::string& text);

// The I-th of N slices of a plan: runs I, I+N, I+2N, ... of it (lit's
// --run-shard). The plan's order depends only on scenarios, targets and
// repeat counts, so every machine computes the same slices, and together
// they hold every run exactly once with the run ids an unsharded session
// uses (the mock LM's seeded delays key on them). Round-robin also spreads
// a scenario's repetitions and targets over the shards, for balance.
std::vector<RunSpec> SelectShard(const std::vector<RunSpec>& plan, const ShardInfo& shard);

// Adaptive repetitions decide per (scenario, target) pair how many runs it
// gets, from its outcomes, so a shard must hold whole pairs: pair k (in
// scenario-major, then target order) belongs to shard (k mod N) + 1. When
// the targets are separated a shard holds whole scenarios: scenario s
// belongs to shard (s mod N) + 1 (the caller passes s as the index).
bool PairInShard(std::size_t pair_index, const ShardInfo& shard);

// Replaces anything outside [A-Za-z0-9._-] with '_'.
std::string SafeId(const std::string& text);

}  // namespace dspy_compat
