// From runs to conclusions: what each target did with each scenario
// (Outcome), and what changed between the baseline target and each later
// one (Verdict). Failures can be intermittent, so an outcome carries a
// failure rate with a confidence interval rather than a single yes/no.
// Pure functions over Results; reports and gates both build on this.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace dspy_compat {

// A proportion's confidence interval, both ends in [0, 1].
struct Interval {
  double low = 0;
  double high = 1;
};

// 95% two-sided normal quantile.
inline constexpr double kZ95 = 1.959963984540054;

// Wilson score interval for `successes` out of `trials`; [0, 1] when
// trials is 0. Unlike the normal approximation it stays inside [0, 1] and
// is honest at 0/n and n/n, which is where small repeat counts live.
Interval WilsonInterval(int successes, int trials, double z = kZ95);

// What one failure looked like, normalised so that repeats of the same bug
// group together: "<error_type>: <first line of error_message>", or the
// status name when the run has no error type. Empty for a passing run.
std::string ErrorSignature(const RunResult& run);

enum class Classification {
  kNone,   // no runs
  kPass,   // every run passed
  kFail,   // every run failed
  kFlaky,  // some of each
};
std::string_view ClassificationName(Classification classification);

struct SignatureCount {
  std::string signature;
  int count = 0;
};

// What the passing runs of a pair did that a release can change without
// failing anything: the union over those runs of their LM traffic and the
// settings they left behind. Compared between targets for a verdict.
struct Behaviour {
  int traffic_runs = 0;                                 // passing runs with lm_traffic
  std::set<std::string> models;                         // served any request
  std::map<std::string, std::set<std::string>> routes;  // request key -> models
  std::map<std::string, std::string> labels;            // request key -> a quote of it
  std::set<std::string> adapters, parameters, prompts, system_prompts;
  std::set<int> calls;                  // LM requests per passing run
  std::vector<SettingsAfter> settings;  // distinct, in order of first run
};

// One (scenario, target) pair over all its repetitions.
struct Outcome {
  std::string scenario_id;
  std::string target_name;
  std::array<int, kStatusCount> status_counts{};  // indexed by static_cast<size_t>(Status)
  int total = 0;
  int failures = 0;
  int explored = 0;  // runs that released LM responses in an explored order (an lm_schedule)
  std::vector<SignatureCount> signatures;  // count descending, then text
  double failure_rate = 0;                 // failures / total; 0 when total is 0
  Interval failure_interval;               // 95% Wilson
  Classification classification = Classification::kNone;
  // No runs because the scenario's REQUIRES excludes the target (set by
  // AggregateResults from scenario_info); not a missing result.
  bool unsupported = false;
  // A failing run of the most frequent signature, preferring one with a
  // traceback: what a reader looks at first. Empty when nothing failed.
  std::string example_run_id;
  std::string example_traceback;
  std::string example_output_tail;
  // The example run explored LM response orders (it has an lm_schedule):
  // `run --replay results.json:<example_run_id>` repeats its order.
  bool example_explored = false;
  Behaviour behaviour;  // of the passing runs

  int Count(Status status) const { return status_counts[static_cast<std::size_t>(status)]; }
  int Passes() const { return Count(Status::kPass); }
};

// Aggregates the runs of `runs` that belong to (scenario_id, target_name).
Outcome ComputeOutcome(std::span<const RunResult> runs, std::string_view scenario_id,
                       std::string_view target_name);

enum class VerdictKind {
  kUnchanged,   // pass/pass behaving alike (prompt text aside), or fail/fail
  kRegression,  // baseline passed; the later target fails always or sometimes
  kFixed,       // baseline failed always or sometimes; the later target passes
  kFlaky,       // the later target is flaky and the baseline was not clean, or
                // the baseline was flaky and the later target fails always:
                // too noisy to call a regression or a fix
  kIncomplete,  // either side has no runs
  // Both pass, but the later target's LM traffic differs in what a program
  // relies on (which model served which request, prompt format, request
  // parameters, number of LM calls) or it leaves other settings behind.
  kBehaviourChange,
  // Either side has a run that could not start (Status::kUnresolved): no
  // verdict can be drawn until the program runs.
  kUnresolved,
};
inline constexpr std::size_t kVerdictKinds = 7;
std::string_view VerdictName(VerdictKind kind);

// One way the later target's passing runs differ from the baseline's.
struct BehaviourChange {
  std::string aspect;  // "model per request", "models", "prompt formats", "request parameters",
                       // "LM calls per run", "settings after the program", "prompts",
                       // "system prompts"
  std::string detail;  // one sentence a reader can act on, with `code` spans
  bool prompt_text_only = false;  // "prompts", "system prompts": a listed diff, not a verdict
};

struct Verdict {
  std::string scenario_id;
  std::string baseline_target;
  std::string target_name;
  VerdictKind kind = VerdictKind::kIncomplete;
  // For a regression: the later target fails only sometimes, which is how
  // the 2.5.40 context bug shows up; one passing run proves nothing.
  bool intermittent = false;
  // For a regression or a fix: the one-sided Fisher p of the difference in
  // failing runs (OneSidedFisher), with the run counts it is of. At 0.05 or
  // above the difference could be chance (issue 12: a race failing 6% on
  // both releases gives 0/24 against 2/24, p = 0.24). Information for the
  // reader only: it changes neither the kind nor the gate.
  std::optional<double> chance;
  int baseline_runs = 0;
  int later_runs = 0;
  // For pass/pass pairs: how the later target behaves differently (prompt
  // text changes included, which alone leave the kind unchanged).
  std::vector<BehaviourChange> changes;
  bool PromptsChanged() const;
};

Verdict CompareOutcomes(const Outcome& baseline, const Outcome& later);

struct ScenarioAggregate {
  std::string scenario_id;
  std::vector<Outcome> outcomes;  // one per target, baseline first
  std::vector<Verdict> verdicts;  // one per target after the baseline
};

struct Aggregate {
  std::vector<std::string> targets;  // baseline first
  std::vector<ScenarioAggregate> scenarios;
  std::array<int, kVerdictKinds> verdict_counts{};  // indexed by VerdictKind
  int intermittent_regressions = 0;
  int total_runs = 0;
  int failed_runs = 0;

  int Count(VerdictKind kind) const { return verdict_counts[static_cast<std::size_t>(kind)]; }
};

// Targets follow environment.targets (the first is the baseline) and
// scenarios follow environment.scenarios; ids that appear only in runs are
// appended in order of first appearance, so no run is silently dropped.
Aggregate AggregateResults(const Results& results);

}  // namespace dspy_compat
