// Bisect: the first release after a good one on which a scenario behaves
// differently (its pass/fail rate, or a behaviour change as verdicts define
// it). Each release probed is repeated until its outcome separates from the
// good release's (95% Wilson intervals) or settles like it, or it reaches
// the run limit and the step cannot decide. Only the releases probed are
// measured (provisioned), so a search over ten releases touches four or five.
// Measuring is a callback: the tool runs the scenario, tests fake outcomes.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/model.h"
#include "results/adaptive_repeat.h"
#include "results/aggregate.h"

namespace dspy_compat {

enum class StepFinding {
  kSameAsGood,  // settled, and its verdict against the good release is unchanged
  kChanged,     // separated from the good release, or a behaviour change
  kUndecided,   // out of runs with overlapping intervals, or could not start
};

struct StepDecision {
  StepFinding finding = StepFinding::kUndecided;
  int more_runs = 0;   // > 0: not decided yet, measure this many more
  std::string reason;  // one line: what the counts (or traffic) say
};

// Compares a release's outcome so far with the good release's (settled).
// Pure, so that the search's steps depend only on outcomes.
StepDecision DecideStep(const Outcome& good, const Outcome& step, const AdaptiveRepeat& policy);

// "passes 35/35", "fails 12/12", "fails 3/20 (15%, 95% 5-36%)".
std::string DescribeCounts(const Outcome& outcome);

struct BisectStep {
  std::size_t release = 0;  // index into the candidates
  StepFinding finding = StepFinding::kUndecided;
  std::string reason;
};

struct BisectAnswer {
  enum class Kind {
    kFound,        // first_changed is the first release that differs
    kNoChange,     // no release probed differs from the good one
    kUndecided,    // a step could not decide; the change is in (last_same, first_changed]
    kInterrupted,  // cancelled, or a release could not be measured
  };
  Kind kind = Kind::kUndecided;
  std::size_t last_same = 0;      // the newest release known to behave as the good one
  std::size_t first_changed = 0;  // kFound: the answer; else the oldest known to differ
  bool changed_known = false;     // whether first_changed was probed and differs
  std::vector<BisectStep> steps;  // in the order probed
  std::string summary;            // one line for people
};

class Bisection {
 public:
  // `count` more runs of the scenario on candidates[release], numbered from
  // first_repetition. Fewer (or none) when cancelled; may throw (a release
  // that cannot be provisioned), which ends the search as interrupted.
  using Measure =
      std::function<std::vector<RunResult>(std::size_t release, int first_repetition, int count)>;
  // Hears each step's decision as it is made (the progress lines).
  using OnStep = std::function<void(const BisectStep&, const Outcome&)>;

  // A release: the target name its runs carry, and how people say it.
  struct Candidate {
    std::string target_name;  // "dspy-2.5.40"
    std::string label;        // "2.5.40"
  };
  // candidates: the releases in version order, the good one first and the
  // bad one last (at least two).
  Bisection(std::vector<Candidate> candidates, AdaptiveRepeat policy, Measure measure,
            OnStep on_step = {});

  // The bad release first: if it differs, a binary search between the two;
  // if it behaves as the good one (a change later undone, as 2.6.0 undid
  // 2.5.40's), an exponential search from the good side, then a binary one.
  BisectAnswer Run(const std::atomic<bool>& cancel);

  // Every run made, of every release probed.
  const std::vector<RunResult>& runs() const { return runs_; }
  // The outcome of a release probed (no runs: not probed).
  Outcome OutcomeOf(std::size_t release) const;

 private:
  StepFinding Probe(std::size_t release, const std::atomic<bool>& cancel, BisectAnswer& answer);
  bool MeasureMore(std::size_t release, int count, const std::atomic<bool>& cancel);
  void Summarise(BisectAnswer& answer) const;

  std::vector<Candidate> candidates_;
  AdaptiveRepeat policy_;
  Measure measure_;
  OnStep on_step_;
  std::vector<RunResult> runs_;
  std::string failure_;  // why measuring stopped (cancelled, or what Measure threw)
};

}  // namespace dspy_compat
